using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A non-local block's parameters on the GPU, laid out for its GEMMs: the 1x1x1 conv weights of
/// PyTorch layout (out, in, 1, 1, 1) become (in, out) matrices padded with zeros to multiples of 4 on
/// both sides (channels-last activations carry Cp = C rounded up to 4), phi and g side by side so one
/// GEMM computes both, and concat_project as [w_theta | w_phi], each half padded to the inner width.
/// </summary>
public sealed class NonLocalWeights : IDisposable
{
    private NonLocalWeights(NonLocalOptions options, int channels, Tensor? thetaWeight, Tensor? thetaBias,
        Tensor keyValueWeight, Tensor keyValueBias, Tensor outWeight, Tensor outBias, Tensor? concat)
    {
        (Options, Channels) = (options, channels);
        (ThetaWeight, ThetaBias, KeyValueWeight, KeyValueBias, OutWeight, OutBias, Concat) =
            (thetaWeight, thetaBias, keyValueWeight, keyValueBias, outWeight, outBias, concat);
    }

    public NonLocalOptions Options { get; }

    /// <summary>C, the block's input and output channels (unpadded).</summary>
    public int Channels { get; }

    /// <summary>(Cp, Ip); null for Gaussian, whose theta is x.</summary>
    public Tensor? ThetaWeight { get; }

    public Tensor? ThetaBias { get; }

    /// <summary>(Cp, 2 * Ip) = [phi | g], or (Cp, Ip) = g for Gaussian, whose phi is x.</summary>
    public Tensor KeyValueWeight { get; }

    public Tensor KeyValueBias { get; }

    /// <summary>(Ip, Cp), output BN or affine already folded in by the converter.</summary>
    public Tensor OutWeight { get; }

    public Tensor OutBias { get; }

    /// <summary>(2 * Ip) = [w_theta | w_phi] of concat_project; concatenation only.</summary>
    public Tensor? Concat { get; }

    /// <summary>
    /// Uploads the package's tensors of one block. <paramref name="read"/> returns a tensor's floats by
    /// its name relative to the block (<c>theta.weight</c>, <c>out.bias</c>, <c>concat_project.weight</c>...),
    /// e.g. <c>n => file.ReadFloats($"res3.1.nonlocal.{n}")</c>.
    /// </summary>
    public static NonLocalWeights Create(Device device, NonLocalOptions options, int channels, Func<string, float[]> read, string name = "nonlocal")
    {
        options.Validate();
        if (channels <= 0)
            throw new EngineException($"{name}: {channels} channels.");
        var inner = options.Inner;
        var (cp, ip) = (ChannelsLast.Padded(channels), ChannelsLast.Padded(inner));
        float[] Read(string tensor, long count)
        {
            var values = read(tensor);
            if (values.Length != count)
                throw new EngineException($"{name}: {tensor} has {values.Length} values, expected {count} for {channels} channels and inner width {inner}.");
            return values;
        }

        var gaussian = options.Instantiation == NonLocalInstantiation.Gaussian;
        var kvWidth = gaussian ? ip : 2 * ip;
        var kvWeight = new float[cp * kvWidth];
        var kvBias = new float[kvWidth];
        var gColumn = gaussian ? 0 : ip;
        Transpose(Read("g.weight", (long)inner * channels), inner, channels, kvWeight, kvWidth, gColumn);
        Read("g.bias", inner).CopyTo(kvBias, gColumn);

        Tensor? thetaWeight = null, thetaBias = null, concat = null;
        var created = new List<Tensor>();
        try
        {
            if (!gaussian)
            {
                Transpose(Read("phi.weight", (long)inner * channels), inner, channels, kvWeight, kvWidth, 0);
                Read("phi.bias", inner).CopyTo(kvBias, 0);
                var theta = new float[cp * ip];
                Transpose(Read("theta.weight", (long)inner * channels), inner, channels, theta, ip, 0);
                var bias = new float[ip];
                Read("theta.bias", inner).CopyTo(bias, 0);
                thetaWeight = Add(created, device.CreateTensor<float>($"{name}.theta.weight", new Shape(cp, ip), theta));
                thetaBias = Add(created, device.CreateTensor<float>($"{name}.theta.bias", new Shape(ip), bias));
            }
            if (options.Instantiation == NonLocalInstantiation.Concatenation)
            {
                var w = Read("concat_project.weight", 2L * inner);
                var padded = new float[2 * ip];
                w.AsSpan(0, inner).CopyTo(padded);
                w.AsSpan(inner, inner).CopyTo(padded.AsSpan(ip));
                concat = Add(created, device.CreateTensor<float>($"{name}.concat_project.weight", new Shape(2 * ip), padded));
            }
            var outWeight = new float[ip * cp];
            Transpose(Read("out.weight", (long)channels * inner), channels, inner, outWeight, cp, 0);
            var outBias = new float[cp];
            Read("out.bias", channels).CopyTo(outBias, 0);
            return new NonLocalWeights(options, channels, thetaWeight, thetaBias,
                Add(created, device.CreateTensor<float>($"{name}.kv.weight", new Shape(cp, kvWidth), kvWeight)),
                Add(created, device.CreateTensor<float>($"{name}.kv.bias", new Shape(kvWidth), kvBias)),
                Add(created, device.CreateTensor<float>($"{name}.out.weight", new Shape(ip, cp), outWeight)),
                Add(created, device.CreateTensor<float>($"{name}.out.bias", new Shape(cp), outBias)),
                concat);
        }
        catch
        {
            foreach (var t in created)
                t.Dispose();
            throw;
        }
    }

    /// <summary>Writes a (rows, cols) PyTorch weight transposed into columns [column, column + rows) of a matrix with <paramref name="width"/> columns.</summary>
    private static void Transpose(float[] weight, int rows, int cols, float[] matrix, int width, int column)
    {
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
                matrix[c * width + column + r] = weight[r * cols + c];
        }
    }

    private static Tensor Add(List<Tensor> created, Tensor tensor)
    {
        created.Add(tensor);
        return tensor;
    }

    public void Dispose()
    {
        Concat?.Dispose();
        OutBias.Dispose();
        OutWeight.Dispose();
        KeyValueBias.Dispose();
        KeyValueWeight.Dispose();
        ThetaBias?.Dispose();
        ThetaWeight?.Dispose();
    }
}
