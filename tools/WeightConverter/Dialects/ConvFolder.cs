using Engine;
using WeightConverter.Containers;
using WeightConverter.Package;

namespace WeightConverter.Dialects;

/// <summary>
/// Emits one convolution (or FC) of the package from its source keys: checks shapes, folds the BN or
/// affine after it into weight and bias (w * g / sqrt(v + eps), (b - m) * g / sqrt(v + eps) + beta),
/// writes a zero bias where the source has none, and inflates a 2D kernel over time when asked.
/// </summary>
internal sealed class ConvFolder(StateDict source, MappedModel model, double epsilon)
{
    /// <summary>
    /// Adds `{name}.weight` and `{name}.bias`. <paramref name="expected"/> is the source weight's shape
    /// (-1 = any). Returns "bn", "affine" or "none", or null when keys are missing (recorded in the source's
    /// missing list). <paramref name="inflateKt"/> &gt; 0 turns a 4D (out, in, kh, kw) kernel into
    /// (out, in, kt, kh, kw), each temporal slice the 2D kernel divided by kt.
    /// </summary>
    public string? Emit(string name, ConvKeys keys, long[] expected, bool normRequired, int inflateKt = 0)
    {
        var weight = source.Take(keys.Weight);
        if (weight is null)
            return null;
        CheckShape(keys.Weight, weight, expected);
        var outChannels = weight.Shape[0];
        var hasBn = source.Has(keys.Mean) && source.Has(keys.Var) && source.Has(keys.Gamma) && source.Has(keys.Beta);
        var hasAffine = !hasBn && source.Has(keys.Gamma) && source.Has(keys.Beta) && !source.Has(keys.Mean) && !source.Has(keys.Var);
        var norm = hasBn ? "bn" : hasAffine ? "affine" : "none";
        if (norm == "none" && normRequired)
        {
            foreach (var k in new[] { keys.Gamma, keys.Beta, keys.Mean, keys.Var })
            {
                if (k is not null)
                    source.Take(k);
            }
            return null;
        }
        var bias = keys.Bias is not null && (source.Has(keys.Bias) || norm == "none") ? source.Take(keys.Bias) : null;
        if (keys.Bias is not null && bias is null && norm == "none")
            return null;
        var gamma = norm != "none" ? Vector(keys.Gamma!, outChannels) : null;
        var beta = norm != "none" ? Vector(keys.Beta!, outChannels) : null;
        var mean = hasBn ? Vector(keys.Mean!, outChannels) : null;
        var variance = hasBn ? Vector(keys.Var!, outChannels) : null;
        if (bias is not null)
            CheckShape(keys.Bias!, bias, [outChannels]);
        if (norm != "none")
            model.Folded++;

        var eps = epsilon;
        double[] Scale()
        {
            var s = new double[outChannels];
            var g = gamma?.ReadFloats();
            var v = variance?.ReadFloats();
            for (var o = 0; o < outChannels; o++)
                s[o] = g is null ? 1 : v is null ? g[o] : g[o] / Math.Sqrt(v[o] + eps);
            return s;
        }
        var shape = weight.Shape;
        var outShape = inflateKt > 0 && shape.Length == 4 ? [shape[0], shape[1], inflateKt, shape[2], shape[3]] : shape;
        model.Tensors.Add(new PackageTensor(name + ".weight", outShape, () =>
        {
            var w = weight.ReadFloats();
            var scale = Scale();
            var perOut = w.Length / Math.Max(outChannels, 1);
            for (var o = 0; o < outChannels; o++)
            {
                var s = (float)scale[o];
                for (var i = 0; i < perOut; i++)
                    w[o * perOut + i] *= s;
            }
            return inflateKt > 0 && shape.Length == 4 ? Inflate(w, shape, inflateKt) : w;
        }));
        model.Tensors.Add(new PackageTensor(name + ".bias", [outChannels], () =>
        {
            var b = bias?.ReadFloats() ?? new float[outChannels];
            if (norm == "none")
                return b;
            var scale = Scale();
            var m = mean?.ReadFloats();
            var be = beta!.ReadFloats();
            var result = new float[outChannels];
            for (var o = 0; o < outChannels; o++)
                result[o] = (float)((b[o] - (m?[o] ?? 0)) * scale[o] + be[o]);
            return result;
        }));
        return norm;
    }

    /// <summary>Adds a tensor unchanged (a projection without bias or norm).</summary>
    public bool Copy(string name, string key, long[] expected)
    {
        var tensor = source.Take(key);
        if (tensor is null)
            return false;
        CheckShape(key, tensor, expected);
        model.Tensors.Add(new PackageTensor(name, tensor.Shape, tensor.ReadFloats));
        return true;
    }

    private CheckpointTensor Vector(string key, long length)
    {
        var t = source.Take(key)!;
        CheckShape(key, t, [length]);
        return t;
    }

    /// <summary>A floating-point tensor of <paramref name="expected"/> shape (negative axes: any size), or an error naming file, key and both shapes.</summary>
    internal void CheckShape(string key, CheckpointTensor tensor, long[] expected)
    {
        if (!tensor.Type.IsFloat())
            throw new EngineException($"{source.Path}: key '{key}' holds {tensor.Type.Name()} values, expected floating point.");
        var ok = tensor.Shape.Length == expected.Length && tensor.Shape.Zip(expected).All(p => p.Second < 0 || p.First == p.Second);
        if (!ok)
            throw new EngineException($"{source.Path}: key '{key}' has shape {tensor.ShapeString}, expected {ExpectedText(expected)}.");
    }

    private static string ExpectedText(long[] expected) => expected.Length == 1 ? $"({Dim(expected[0])},)" : "(" + string.Join(", ", expected.Select(Dim)) + ")";

    private static string Dim(long d) => d < 0 ? "any" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static float[] Inflate(float[] w, long[] shape, int kt)
    {
        var outIn = shape[0] * shape[1];
        var plane = (int)(shape[2] * shape[3]);
        var result = new float[outIn * kt * plane];
        for (long oi = 0; oi < outIn; oi++)
        {
            for (var t = 0; t < kt; t++)
            {
                for (var p = 0; p < plane; p++)
                    result[(oi * kt + t) * plane + p] = w[oi * plane + p] / kt;
            }
        }
        return result;
    }
}
