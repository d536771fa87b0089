namespace SmartCrm.Web;

/// <summary>How a <see cref="Figure"/> is drawn when it is not a time series (those are always lines).</summary>
public enum ChartKind { Column, Line }
