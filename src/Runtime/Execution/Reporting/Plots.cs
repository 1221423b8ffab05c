using Pipeline.Runtime.Core;
using ScottPlot;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>The report's PNG plots, drawn with ScottPlot.</summary>
public static class Plots
{
    private static readonly Color[] DimensionColors =
    {
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#7f7f7f"), Color.FromHex("#9467bd"),
    };

    /// <summary>A training loss curve (points are means of equal windows of steps) against the step.</summary>
    public static void LossCurve(string path, string title, IReadOnlyList<double> curve, int steps)
    {
        var plot = new Plot();
        var xs = Enumerable.Range(0, curve.Count).Select(i => (i + 0.5) * steps / curve.Count).ToArray();
        var line = plot.Add.Scatter(xs, curve.ToArray());
        line.MarkerSize = 3;
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel("loss (window mean)");
        plot.Axes.SetLimitsY(0, curve.Max() * 1.05);
        Save(plot, path);
    }

    /// <summary>
    /// Grouped bars: per method, one bar per dimension (win rate), with its 95 % interval drawn as a vertical line
    /// with caps, and a dashed line at ½ (no difference from the baseline).
    /// </summary>
    public static void WinRateBars(string path, string title, IReadOnlyList<string> methods, IReadOnlyList<string> dimensions, Func<string, string, (double Rate, double Lower, double Upper)> rate)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        var group = dimensions.Count + 1;
        for (var m = 0; m < methods.Count; m++)
        {
            for (var d = 0; d < dimensions.Count; d++)
            {
                var (value, lower, upper) = rate(methods[m], dimensions[d]);
                var x = (m * group) + d;
                bars.Add(new Bar { Position = x, Value = value, FillColor = DimensionColors[d % DimensionColors.Length], Size = 0.8 });
                foreach (var (x1, y1, x2, y2) in new[] { (x, lower, x, upper), (x - 0.15, lower, x + 0.15, lower), (x - 0.15, upper, x + 0.15, upper) })
                {
                    var segment = plot.Add.Line(x1, y1, x2, y2);
                    segment.Color = Colors.Black;
                    segment.LineWidth = 1.5f;
                }
            }
        }

        plot.Add.Bars(bars);
        var half = plot.Add.HorizontalLine(0.5);
        half.LinePattern = LinePattern.Dashed;
        half.Color = Colors.Gray;
        var ticks = methods.Select((m, i) => new Tick((i * group) + ((dimensions.Count - 1) / 2.0), m)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimits(-1, (methods.Count * group) - 1, 0, 1);
        plot.Legend.ManualItems.Clear();
        for (var d = 0; d < dimensions.Count; d++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = dimensions[d], FillColor = DimensionColors[d % DimensionColors.Length] });
        }

        plot.ShowLegend(Edge.Right); // beside the frame: inside, it covered the last method's bars near 1
        plot.Title(title);
        plot.YLabel("win rate vs baseline (95 % interval)");
        Save(plot, path);
    }

    /// <summary>
    /// A forest plot: per method (top to bottom), one row per dimension with its mean as a marker and its 95 % interval
    /// as a horizontal line, coloured by dimension, and a dashed line at ½ (no difference from the baseline). The
    /// height grows with the rows, so that each stays readable.
    /// </summary>
    public static void Forest(string path, string title, IReadOnlyList<string> methods, IReadOnlyList<string> dimensions, Func<string, string, (double Mean, double Lower, double Upper)?> estimate)
    {
        var plot = new Plot();
        var group = dimensions.Count + 1;
        for (var m = 0; m < methods.Count; m++)
        {
            for (var d = 0; d < dimensions.Count; d++)
            {
                if (estimate(methods[m], dimensions[d]) is not { } value)
                {
                    continue;
                }

                var y = -((m * group) + d);
                var color = DimensionColors[d % DimensionColors.Length];
                var interval = plot.Add.Line(value.Lower, y, value.Upper, y);
                interval.Color = color;
                interval.LineWidth = 2;
                var marker = plot.Add.Marker(value.Mean, y);
                marker.Color = color;
                marker.Size = 7;
            }
        }

        var half = plot.Add.VerticalLine(0.5);
        half.LinePattern = LinePattern.Dashed;
        half.Color = Colors.Gray;
        var ticks = methods.Select((m, i) => new Tick(-((i * group) + ((dimensions.Count - 1) / 2.0)), m)).ToArray();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Axes.SetLimits(0, 1, -(methods.Count * group) + 1, 1);
        plot.Legend.ManualItems.Clear();
        for (var d = 0; d < dimensions.Count; d++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = dimensions[d], FillColor = DimensionColors[d % DimensionColors.Length] });
        }

        plot.ShowLegend(Edge.Right);
        plot.Title(title);
        plot.XLabel("win rate vs baseline: mean across seeds (95 % interval)");
        Save(plot, path, 720, Math.Max(420, 120 + (methods.Count * group * 12)));
    }

    /// <summary>One series of <see cref="MetricAgainstSweep"/>: the points that share the values of the other swept paths.</summary>
    public sealed record SweepSeries(string Label, IReadOnlyList<double> Xs, IReadOnlyList<double> Ys);

    /// <summary>
    /// A metric against the swept value: one line with markers per series (a legend when there are several), the
    /// x ticks at the swept values with their labels as written in the experiment.
    /// </summary>
    public static void MetricAgainstSweep(string path, string title, string xLabel, string yLabel, IReadOnlyList<SweepSeries> series, IReadOnlyList<(double Position, string Label)> ticks)
    {
        var plot = new Plot();
        for (var i = 0; i < series.Count; i++)
        {
            var line = plot.Add.Scatter(series[i].Xs.ToArray(), series[i].Ys.ToArray());
            line.MarkerSize = 7;
            line.Color = DimensionColors[i % DimensionColors.Length];
            if (series.Count > 1)
            {
                line.LegendText = series[i].Label;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => new Tick(t.Position, t.Label)).ToArray());
        if (series.Count > 1)
        {
            // Beside the frame, where it cannot hide a point.
            plot.ShowLegend(Edge.Right);
        }
        else
        {
            plot.HideLegend();
        }

        // A little room on both sides, so the first and last points are not drawn on the frame.
        var positions = ticks.Select(t => t.Position).ToArray();
        var margin = positions.Length > 1 ? (positions.Max() - positions.Min()) * 0.08 : 1;
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsX(positions.Min() - margin, positions.Max() + margin);
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        Save(plot, path);
    }

    /// <summary>Every plot is 720 × 420 (a forest plot grows taller with its rows) and appears atomically.</summary>
    private static void Save(Plot plot, string path, int width = 720, int height = 420)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        DurableFile.WriteAllBytes(path, plot.GetImageBytes(width, height, ImageFormat.Png));
    }
}
