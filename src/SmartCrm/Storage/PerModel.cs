using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace SmartCrm.Storage;

/// <summary>
/// Something built once per EF model, compiled queries above all: a compiled query binds to the first model it runs against,
/// and one process may hold several (the tests run SQLite and PostgreSQL side by side).
/// </summary>
public sealed class PerModel<T>(Func<T> build) where T : class
{
    private readonly ConditionalWeakTable<IModel, T> _built = [];

    public T For(DbContext db) => _built.GetValue(db.Model, _ => build());
}
