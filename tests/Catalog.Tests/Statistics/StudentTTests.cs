using Pipeline.Catalog.Statistics;

namespace Pipeline.Catalog.Tests.Statistics;

/// <summary>The t quantiles against closed forms (1 and 2 degrees of freedom) and printed tables.</summary>
public sealed class StudentTTests
{
    [Fact]
    public void One_degree_of_freedom_is_the_cauchy_distribution()
    {
        // t with 1 degree of freedom: F(t) = 1/2 + atan(t)/π, so the 0.975 quantile is tan(0.475 π).
        Assert.Equal(Math.Tan(0.475 * Math.PI), StudentT.Critical95(1), 9);
        Assert.Equal(0.5 + (Math.Atan(2.0) / Math.PI), StudentT.Cdf(2.0, 1), 12);
    }

    [Fact]
    public void Two_degrees_of_freedom_have_a_closed_form()
    {
        // F(t) = 1/2 + t / (2 √(2 + t²)); solving F = 0.975 gives t² = 2·0.95² / (1 − 0.95²).
        Assert.Equal(Math.Sqrt(2 * 0.95 * 0.95 / (1 - (0.95 * 0.95))), StudentT.Critical95(2), 9);
        Assert.Equal(0.5 + (1.5 / (2 * Math.Sqrt(2 + 2.25))), StudentT.Cdf(1.5, 2), 12);
    }

    [Theory]
    [InlineData(3, 3.182446305284263)]
    [InlineData(4, 2.7764451051977987)]
    [InlineData(9, 2.2621571628540993)]
    [InlineData(30, 2.0422724563012373)]
    [InlineData(1000, 1.9623390808264078)]
    public void Quantiles_match_the_tables(double freedom, double expected)
    {
        Assert.Equal(expected, StudentT.Critical95(freedom), 8);
    }

    [Fact]
    public void Infinite_degrees_of_freedom_are_the_normal_distribution()
    {
        Assert.Equal(1.959963984540054, StudentT.Critical95(double.PositiveInfinity));
        Assert.Equal(-StudentT.Quantile(0.975, 7), StudentT.Quantile(0.025, 7), 12);
    }
}
