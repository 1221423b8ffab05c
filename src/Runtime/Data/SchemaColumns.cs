using Microsoft.ML;
using Microsoft.ML.Data;

namespace Pipeline.Runtime.Data;

/// <summary>
/// The columns an estimator's <c>GetOutputSchema</c> adds. ML.NET keeps <see cref="SchemaShape.Column"/>'s
/// constructor internal (its own estimators build columns with it, and <c>SchemaShape.Create</c> is internal too), so
/// this is the one place that calls it by reflection; the reflection rule allows this file and no other in Kinds or Data.
/// </summary>
public static class SchemaColumns
{
    /// <summary>A float column: a vector of known size (a video) or a scalar (a score).</summary>
    public static SchemaShape.Column Single(string name, bool vector) =>
        (SchemaShape.Column)Activator.CreateInstance(
            typeof(SchemaShape.Column),
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public,
            binder: null,
            args: [name, vector ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false, null],
            culture: null)!;
}
