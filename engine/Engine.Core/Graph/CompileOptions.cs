namespace Engine.Graph;

/// <summary>How a graph compiles: profiling (a timestamp after every dispatch), tensors kept readable, arena size cap, Winograd, tuned variants, weight precision.</summary>
public sealed record CompileOptions
{
    /// <summary>
    /// Also record a copy of the network with a timestamp after every dispatch, which runs when
    /// <see cref="CompiledGraph.Run"/> is asked to profile, so <see cref="CompiledGraph.Profile"/> can report per-node GPU time.
    /// </summary>
    public bool Profile { get; init; }

    /// <summary>Intermediate tensors to keep alive (not aliased) so they can be read after a run, e.g. for --dump.</summary>
    public IReadOnlyCollection<string> Keep { get; init; } = [];

    /// <summary>Largest arena buffer; more arenas are opened beyond it. Bindings are views, so this does not bound a tensor.</summary>
    public long ArenaLimit { get; init; } = 1L << 30;

    /// <summary>
    /// Eligible 1x3x3 convolutions of at least this much direct arithmetic (FLOPs) run as Winograd
    /// (<see cref="Ops.WinogradConv"/>) where their scratch fits, 3x1x1 ones from a smaller share of it
    /// (<see cref="Ops.WinogradConv.Pays"/>); smaller ones run the direct kernel. 0: every eligible one
    /// (3x1x1: with whole tiles of output frames); infinity: none (the baseline of
    /// `engine bench --compare-direct`).
    /// </summary>
    public double WinogradMinFlops { get; init; } = Ops.WinogradConv.DefaultMinFlops;

    /// <summary>
    /// The variant (<see cref="Ops.IOp.Variant"/> text) each tunable node runs, by its shape key
    /// (<see cref="Tuning.ITunableNode.TuningKey"/>); a shape without an entry, or whose entry does not
    /// apply to it, follows today's rules (<see cref="WinogradMinFlops"/>, <see cref="Ops.ConvDefaults"/>).
    /// Null: the choices the device loaded from its tuning cache (<see cref="Gpu.Device.Tuning"/>; none unless
    /// it was opened with <see cref="Gpu.DeviceOptions.Tuning"/>), after tuning the graph's untuned shapes
    /// first when the device tunes at compile.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Variants { get; init; }

    /// <summary>
    /// The element type of the weights whose kernels have a half-precision build (convolution and linear
    /// weight matrices, <see cref="WeightData.AcceptsFloat16"/>): <see cref="Gpu.DataType.Float32"/>, or
    /// <see cref="Gpu.DataType.Float16"/>, half the bytes, rounded to nearest when the graph compiles, read
    /// through rgba16f texel buffers and accumulated in fp32 (the device must report
    /// <see cref="Gpu.DeviceInfo.HalfTexelBuffers"/>). Activations, biases and the non-local block's
    /// attention stay fp32. Tuned choices are kept per weight type (the tuning key names it).
    /// </summary>
    public Gpu.DataType WeightStorage { get; init; } = Gpu.DataType.Float32;

    /// <summary>What a tuning key adds for these options: the weight storage when it is not fp32.</summary>
    public string TuningKeySuffix => WeightStorage == Gpu.DataType.Float32 ? "" : $" weights {Gpu.DataTypeExtensions.NumpyName(WeightStorage)}";
}
