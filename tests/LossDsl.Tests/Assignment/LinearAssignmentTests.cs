using System;
using System.Collections.Generic;
using System.Linq;
using LossDsl.Runtime.Assignment;
using static LossDsl.Tests.Assignment.AssignmentReference;

namespace LossDsl.Tests.Assignment;

/// <summary>The solver against brute force (every n, m ≤ 7), an optimality certificate (larger), and scipy's
/// documented behaviour.</summary>
public sealed class LinearAssignmentTests
{
    public static IEnumerable<object[]> Shapes() =>
        from n in Enumerable.Range(1, 7) from m in Enumerable.Range(1, 7) select new object[] { n, m };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Random_costs_give_the_brute_force_optimum(int n, int m)
    {
        var rng = new Random(1000 * n + m);
        for (var trial = 0; trial < 12; trial++)
        {
            // Continuous costs of both signs: the optimum is unique, so the assignment itself must agree.
            var cost = Random(rng, n, m, r => r.NextDouble() * 20 - 10);
            var (rows, cols) = Solve(cost);
            AssertWellFormed(n, m, rows, cols);
            var (best, optima, colOfRow) = BruteForce(cost, tie: 1e-12);
            Assert.Equal(1, optima);
            Assert.Equal(colOfRow.Where(c => c >= 0).ToArray(), cols);
            Assert.Equal(Enumerable.Range(0, n).Where(i => colOfRow[i] >= 0).ToArray(), rows);
            Assert.Equal(best, Total(cost, rows, cols), 9);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Tie_heavy_integer_costs_reach_the_minimum_exactly(int n, int m)
    {
        var rng = new Random(7000 + 10 * n + m);
        for (var trial = 0; trial < 12; trial++)
        {
            // Few distinct values: many optimal assignments; the total is exact in double.
            var cost = Random(rng, n, m, r => r.Next(3) - (trial % 2));
            var (rows, cols) = Solve(cost);
            AssertWellFormed(n, m, rows, cols);
            Assert.Equal(BruteForce(cost).Cost, Total(cost, rows, cols));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Forbidden_entries_are_avoided_or_reported(int n, int m)
    {
        var rng = new Random(31 * n + m);
        for (var trial = 0; trial < 12; trial++)
        {
            var density = trial / 12.0 * 0.7;
            var cost = Random(rng, n, m, r => r.NextDouble() < density ? double.PositiveInfinity : r.Next(10));
            var best = BruteForce(cost).Cost;
            if (double.IsPositiveInfinity(best))
            {
                var e = Assert.Throws<ArgumentException>(() => Solve(cost));
                Assert.Contains("No assignment of finite cost exists", e.Message);
                continue;
            }
            var (rows, cols) = Solve(cost);
            AssertWellFormed(n, m, rows, cols);
            Assert.Equal(best, Total(cost, rows, cols));
        }
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(40, 90)]
    [InlineData(90, 40)]
    [InlineData(60, 60)]
    public void Larger_matrices_have_no_improving_cycle(int n, int m)
    {
        var rng = new Random(n * m);
        foreach (var entry in new Func<Random, double>[] { r => r.NextDouble(), r => r.Next(5), r => Math.Exp(10 * r.NextDouble()) })
        {
            var cost = Random(rng, n, m, entry);
            var (rows, cols) = Solve(cost);
            AssertWellFormed(n, m, rows, cols);
            Assert.True(IsOptimal(cost, rows, cols));
        }
    }

    [Fact]
    public void The_certificate_rejects_a_suboptimal_assignment()
    {
        var cost = new double[,] { { 1, 2 }, { 2, 9 } };
        Assert.False(IsOptimal(cost, new[] { 0, 1 }, new[] { 0, 1 }));
        Assert.True(IsOptimal(cost, new[] { 0, 1 }, new[] { 1, 0 }));
        var wide = new double[,] { { 5, 1, 3 } };
        Assert.False(IsOptimal(wide, new[] { 0 }, new[] { 0 })); // a free column is cheaper
    }

    [Fact]
    public void Scipy_documentation_example()
    {
        // scipy.optimize.linear_sum_assignment's docstring: row_ind [0 1 2], col_ind [1 0 2], cost 5.
        var (rows, cols) = Solve(new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } });
        Assert.Equal(new[] { 0, 1, 2 }, rows);
        Assert.Equal(new[] { 1, 0, 2 }, cols);
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(3, 6)]
    [InlineData(6, 3)]
    public void A_constant_matrix_gives_the_diagonal(int n, int m)
    {
        // The documented tie rule: rows inserted in order, each into the lowest free column.
        var (rows, cols) = Solve(Random(new Random(0), n, m, _ => 2.5));
        var k = Math.Min(n, m);
        Assert.Equal(Enumerable.Range(0, k).ToArray(), rows);
        Assert.Equal(Enumerable.Range(0, k).ToArray(), cols);
    }

    [Fact]
    public void Results_are_deterministic_and_independent_of_earlier_solves()
    {
        var rng = new Random(5);
        var small = Random(rng, 3, 5, r => r.Next(2));
        var large = Random(rng, 30, 20, r => r.Next(4));
        var first = Solve(small);
        Solve(large);                         // grows and dirties the thread's scratch
        var again = Solve(small);
        Assert.Equal(first.Rows, again.Rows);
        Assert.Equal(first.Cols, again.Cols);
        var fresh = new LinearAssignmentSolver();
        var rowsOut = new int[3];
        var colsOut = new int[3];
        Assert.Equal(3, fresh.Solve(Flatten(small), 3, 5, rowsOut, colsOut));
        Assert.Equal(first.Cols, colsOut);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 4)]
    [InlineData(4, 0)]
    public void An_empty_side_gives_no_pairs(int n, int m)
    {
        var (rows, cols) = Solve(new double[n, m]);
        Assert.Empty(rows);
        Assert.Empty(cols);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.NegativeInfinity, "−∞")]
    public void NaN_and_negative_infinity_are_rejected_with_their_position(double bad, string shown)
    {
        var cost = new double[,] { { 1, 2, 3 }, { 4, 5, bad } };
        var e = Assert.Throws<ArgumentException>(() => Solve(cost));
        Assert.Contains($"[1, 2] is {shown}", e.Message);
        // Transposed internally (more rows than columns): the position is still the caller's.
        var tall = new double[,] { { 1, 2 }, { 3, 4 }, { bad, 6 } };
        Assert.Contains($"[2, 0] is {shown}", Assert.Throws<ArgumentException>(() => Solve(tall)).Message);
    }

    [Fact]
    public void An_infeasible_matrix_names_the_row_that_cannot_be_matched()
    {
        var inf = double.PositiveInfinity;
        var e = Assert.Throws<ArgumentException>(() => Solve(new double[,] { { 1, inf }, { 2, inf } }));
        Assert.Equal("No assignment of finite cost exists: row 1 cannot be matched, together with the rows before it, without a forbidden (+∞) pair.", e.Message);
        var tall = Assert.Throws<ArgumentException>(() => Solve(new double[,] { { inf, 1 }, { inf, 2 }, { inf, 3 } }));
        Assert.Contains("column 0 cannot be matched", tall.Message);
    }

    [Fact]
    public void Spans_of_the_wrong_length_are_rejected()
    {
        var solver = new LinearAssignmentSolver();
        Assert.Throws<ArgumentException>(() => solver.Solve(new double[5], 2, 3, new int[2], new int[2]));
        Assert.Throws<ArgumentException>(() => solver.Solve(new double[6], 2, 3, new int[1], new int[2]));
    }
}
