using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// A non-local block's parameters on the GPU, laid out for its GEMMs: the 1x1x1 conv weights of
/// PyTorch layout (out, in, 1, 1, 1) become (in, out) matrices padded with zeros to multiples of 4 on
/// both sides (channels-last activations carry Cp = C rounded up to 4), phi and g side by side so one
/// GEMM computes both, and concat_project as [w_theta | w_phi], each half padded to the inner width.
/// <see cref="Pack"/> does that packing on the host; in a graph the compiler places the packed tensors
/// in its weight arena and <see cref="Bind"/> takes them from there, so the block owns no memory.
/// </summary>
public sealed record NonLocalWeights(NonLocalOptions Options, int Channels, Tensor? ThetaWeight, Tensor? ThetaBias,
    Tensor KeyValueWeight, Tensor KeyValueBias, Tensor OutWeight, Tensor OutBias, Tensor? Concat)
{
    // Packed tensor names, as the graph's weight arena names them.
    private const string ThetaWeightName = "theta.weight";
    private const string ThetaBiasName = "theta.bias";
    private const string KeyValueWeightName = "kv.weight";
    private const string KeyValueBiasName = "kv.bias";
    private const string OutWeightName = "out.weight";
    private const string OutBiasName = "out.bias";
    private const string ConcatName = "concat_project.weight";

    /// <summary>The projection matrices (theta, keys and values, output): the B operands of <see cref="Gemm"/>s, which may be fp16.</summary>
    public static bool ReadByGemm(string packedName) => packedName is ThetaWeightName or KeyValueWeightName or OutWeightName;

    /// <summary>
    /// The block's tensors packed for its GEMMs. <paramref name="read"/> returns a package tensor's
    /// floats by its name relative to the block (<c>theta.weight</c>, <c>out.bias</c>,
    /// <c>concat_project.weight</c>...), e.g. <c>n => file.ReadFloats($"res3.1.nonlocal.{n}")</c>.
    /// Theta is (Cp, Ip), null for Gaussian (whose theta is x); kv is (Cp, 2 Ip) = [phi | g], or
    /// (Cp, Ip) = g for Gaussian (whose phi is x); out is (Ip, Cp), its BN or affine folded in by the converter.
    /// </summary>
    public static IReadOnlyList<(string Name, Shape Shape, float[] Values)> Pack(NonLocalOptions options, int channels, Func<string, float[]> read, string name = "nonlocal")
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

        var packed = new List<(string, Shape, float[])>();
        // A 1x1x1 conv (outputs, inputs) alone: its transposed, padded weight and its padded bias.
        void Conv(string conv, int outputs, int inputs, string weightName, string biasName)
        {
            var (op, inp) = (ChannelsLast.Padded(outputs), ChannelsLast.Padded(inputs));
            var weight = new float[inp * op];
            Transpose(Read($"{conv}.weight", (long)outputs * inputs), outputs, inputs, weight, op, 0);
            var bias = new float[op];
            Read($"{conv}.bias", outputs).CopyTo(bias, 0);
            packed.Add((weightName, new Shape(inp, op), weight));
            packed.Add((biasName, new Shape(op), bias));
        }

        var gaussian = options.Instantiation == NonLocalInstantiation.Gaussian;
        var kvWidth = gaussian ? ip : 2 * ip;
        var kvWeight = new float[cp * kvWidth];
        var kvBias = new float[kvWidth];
        var gColumn = gaussian ? 0 : ip;
        Transpose(Read("g.weight", (long)inner * channels), inner, channels, kvWeight, kvWidth, gColumn);
        Read("g.bias", inner).CopyTo(kvBias, gColumn);
        if (!gaussian)
        {
            Transpose(Read("phi.weight", (long)inner * channels), inner, channels, kvWeight, kvWidth, 0);
            Read("phi.bias", inner).CopyTo(kvBias, 0);
            Conv("theta", inner, channels, ThetaWeightName, ThetaBiasName);
        }
        if (options.Instantiation == NonLocalInstantiation.Concatenation)
        {
            var w = Read("concat_project.weight", 2L * inner);
            var concat = new float[2 * ip];
            w.AsSpan(0, inner).CopyTo(concat);
            w.AsSpan(inner, inner).CopyTo(concat.AsSpan(ip));
            packed.Add((ConcatName, new Shape(2 * ip), concat));
        }
        packed.Add((KeyValueWeightName, new Shape(cp, kvWidth), kvWeight));
        packed.Add((KeyValueBiasName, new Shape(kvWidth), kvBias));
        Conv("out", channels, inner, OutWeightName, OutBiasName);
        return packed;
    }

    /// <summary>The uploaded tensors of <see cref="Pack"/> by their names (a graph node's uploaded weights, or a caller's own upload).</summary>
    public static NonLocalWeights Bind(NonLocalOptions options, int channels, Func<string, Tensor?> tensor)
    {
        Tensor Required(string name) => tensor(name) ?? throw new EngineException($"non-local weights: packed tensor '{name}' is missing.");
        return new NonLocalWeights(options, channels, tensor(ThetaWeightName), tensor(ThetaBiasName), Required(KeyValueWeightName), Required(KeyValueBiasName),
            Required(OutWeightName), Required(OutBiasName), tensor(ConcatName));
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
}
