namespace SmartCrm.Web;

/// <summary>
/// How a <see cref="Figure"/> is drawn. A time series is a line unless it asks for stacked columns (counts per day by kind,
/// whose total reads as the column's height).
/// </summary>
public enum ChartKind { Column, Line, StackedColumn }
