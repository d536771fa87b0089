using System.Data.Common;

namespace SmartCrm.Storage;

/// <summary>Named parameters for the hand-written SQL of the hot paths (ADO.NET has no one-call form).</summary>
public static class CommandParameters
{
    /// <summary>Adds a parameter named <paramref name="name"/> with <paramref name="value"/>.</summary>
    public static void AddParameter(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
