using System.Collections;
using System.Globalization;

namespace Pipeline.Runtime.Execution.Reporting;

/// <summary>
/// Metric values as the report reads them, whether a stage ran (doubles, typed lists) or came from the stage cache
/// (maps, lists of boxed numbers, longs for whole numbers: <see cref="CachedStageRunner"/>).
/// </summary>
internal static class ReportValues
{
    /// <summary>A number, or null for null and for what is not a number.</summary>
    public static double? Number(object? value) => value switch
    {
        double d => d,
        float f => f,
        int or long or short or byte or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>A list of numbers (a loss curve), or null when the value is not one.</summary>
    public static IReadOnlyList<double>? Numbers(object? value)
    {
        if (value is IReadOnlyList<double> numbers)
        {
            return numbers;
        }

        if (value is not IEnumerable items || value is string)
        {
            return null;
        }

        var list = new List<double>();
        foreach (var item in items)
        {
            if (Number(item) is not { } number)
            {
                return null;
            }

            list.Add(number);
        }

        return list;
    }

    /// <summary>A map of metrics (an accuracy table), or null.</summary>
    public static IReadOnlyDictionary<string, object?>? Map(object? value) => value as IReadOnlyDictionary<string, object?>;
}
