using System;

namespace LossDsl.Runtime.Kernels;

/// <summary>The backward pass of max/min reductions: only row i's arg pair (i, j*) has a gradient, so this
/// recomputes that one pair per row in double (O(N·D), serial) and adds its contributions.</summary>
internal static unsafe class ArgBackward
{
    public static void Run<T, TF>(ref Problem<T> p, TF f, int* args, double* weight, GradsOut<T> g)
        where T : unmanaged where TF : struct, IPairFormula
    {
        var columnTarget = p.Self ? g.DX : g.DY;
        for (var i = 0; i < p.N; i++)
        {
            var j = args[i];
            var w = weight[i];
            if (j < 0 || w == 0.0) continue;
            var xi = p.X + (long)i * p.D;
            var yj = p.Y + (long)j * p.D;
            var diagonal = p.Self && i == j;
            var s = Metric(p.Metric, xi, yj, p.D, diagonal, out var squared, out var rhoI, out var rhoJ);
            var inputs = new PairInputs<double> { S = s, W = 1.0 };
            if (TF.ReadsSecondRelation) inputs.S2 = Metric(p.Metric2, p.X2 + (long)i * p.D2, p.Y2 + (long)j * p.D2, p.D2, diagonal, out _, out _, out _);
            if (p.W != null) inputs.W = PairEngine.ToDouble(p.W[(long)i * p.M + j]);
            if (TF.RowValueCount > 0) inputs.R0 = PairEngine.ToDouble(p.R0[i]);
            if (TF.RowValueCount > 1) inputs.R1 = PairEngine.ToDouble(p.R1[i]);
            if (TF.ColumnValueCount > 0) inputs.C0 = PairEngine.ToDouble(p.C0[j]);
            if (TF.ColumnValueCount > 1) inputs.C1 = PairEngine.ToDouble(p.C1[j]);
            var d = f.Partials<double, ScalarMath64>(inputs);
            if (g.DR0 != null && TF.RowValueCount > 0) Add(g.DR0 + i, w * d.R0);
            if (g.DR1 != null && TF.RowValueCount > 1) Add(g.DR1 + i, w * d.R1);
            if (g.DC0 != null && TF.ColumnValueCount > 0) Add(g.DC0 + j, w * d.C0);
            if (g.DC1 != null && TF.ColumnValueCount > 1) Add(g.DC1 + j, w * d.C1);

            var c = w * d.S;
            double b, ownI, ownJ;
            switch (p.Metric)
            {
                case PairMetric.Dot: b = c; ownI = ownJ = 0; break;
                case PairMetric.Cosine: b = c * rhoI * rhoJ; ownI = -c * s * rhoI * rhoI; ownJ = -c * s * rhoJ * rhoJ; break;
                case PairMetric.SqEuclidean:
                    var live = squared > 0 && !diagonal;
                    b = live ? -2 * c : 0; ownI = ownJ = live ? 2 * c : 0;
                    break;
                default:
                    var alive = squared > 0 && !diagonal;
                    b = alive ? -c / s : 0; ownI = ownJ = alive ? c / s : 0;
                    break;
            }
            if (g.DX != null && p.NeedX)
                for (var k = 0; k < p.D; k++)
                    Add(g.DX + (long)i * p.D + k, b * PairEngine.ToDouble(yj[k]) + ownI * PairEngine.ToDouble(xi[k]));
            if (columnTarget != null && (p.Self ? p.NeedX : p.NeedY))
                for (var k = 0; k < p.D; k++)
                    Add(columnTarget + (long)j * p.D + k, b * PairEngine.ToDouble(xi[k]) + ownJ * PairEngine.ToDouble(yj[k]));
        }
    }

    private static void Add<T>(T* target, double v) where T : unmanaged =>
        *target = PairEngine.FromDouble<T>(PairEngine.ToDouble(*target) + v);

    /// <summary>The metric of one pair in double, as the vector engine computes it.</summary>
    private static double Metric<T>(PairMetric metric, T* x, T* y, int d, bool diagonal, out double squared, out double rhoX, out double rhoY)
        where T : unmanaged
    {
        double dot = 0, xx = 0, yy = 0;
        for (var k = 0; k < d; k++)
        {
            var a = PairEngine.ToDouble(x[k]);
            var b = PairEngine.ToDouble(y[k]);
            dot += a * b; xx += a * a; yy += b * b;
        }
        rhoX = PairEngine.InverseNorm(xx);
        rhoY = PairEngine.InverseNorm(yy);
        squared = xx + yy - 2 * dot;
        return metric switch
        {
            PairMetric.Dot => dot,
            PairMetric.Cosine => dot * rhoX * rhoY,
            PairMetric.SqEuclidean => diagonal ? 0 : Math.Max(squared, 0),
            _ => diagonal ? 0 : Math.Sqrt(Math.Max(squared, 0)),
        };
    }
}
