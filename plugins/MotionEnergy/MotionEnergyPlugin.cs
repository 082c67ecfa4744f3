using Engine.Contracts;

namespace MotionEnergy;

/// <summary>
/// Where the picture moves: shaders/motion_energy.comp reduces each clip to a G x G grid of motion
/// energies (mean squared change between consecutive frames); the first clip's grid is drawn as a heat
/// map over its crop, and the most active regions above a threshold are boxed. Uses nothing but the
/// public contracts: a clip network, one kernel, and display metadata.
/// </summary>
public sealed class MotionEnergyPlugin : IPlugin
{
    public const string Shader = "motion_energy.comp";
    public const string Output = "energy";

    private int _grid;
    private double _threshold;
    private int _top;

    public IReadOnlyList<ParameterSpec> Parameters { get; } =
    [
        ParameterSpec.Int("frames", "clip length T, in sampled frames", 4, 2, 32),
        ParameterSpec.Int("sampling_rate", "sample every r-th captured frame", 2, 1, 8),
        ParameterSpec.Int("size", "clip size: the short side is resized to this, then centre-cropped square", 96, 16, 256),
        ParameterSpec.Int("grid", "regions per side", 8, 1, 32),
        ParameterSpec.Float("threshold", "energy (mean squared change of 0..1 pixels) a region needs to be boxed", 0.0003, 0, 1),
        ParameterSpec.Int("top", "most active regions boxed", 3, 0, 16),
        ParameterSpec.Int("every", "run every N captured frames (0: as soon as the previous run is done)", 0, 0, 1000),
    ];

    public IReadOnlyList<NetworkSpec> Configure(PluginContext context)
    {
        var p = context.Parameters;
        if (p.Int("grid") > p.Int("size"))
            throw new ArgumentException($"grid {p.Int("grid")} has more regions per side than the clip has pixels ({p.Int("size")}).");
        _grid = p.Int("grid");
        _threshold = p.Float("threshold");
        _top = p.Int("top");
        // Pixels as 0..1 RGB, so energies and the threshold do not depend on a model's normalisation.
        var clip = new ClipGeometry(p.Int("frames"), p.Int("sampling_rate"), p.Int("size"), p.Int("size"), new Normalization(1.0, [0, 0, 0], [1, 1, 1]));
        return [new NetworkSpec("motion", new NetworkInput(clip), [OutputKind.HeatMap, OutputKind.Boxes], p.Int("every"))];
    }

    public void Build(NetworkSpec spec, INetworkBuilder network)
    {
        var shape = network.Input.Shape; // (N, T, H, W, 4)
        // One invocation per (clip, region), 8 per workgroup (the shader's local_size_x).
        var invocations = shape[0] * _grid * _grid;
        var energy = network.Kernel(Shader, [shape[0], _grid, _grid], [network.Input],
            [(uint)shape[0], (uint)shape[1], (uint)shape[2], (uint)shape[3], (uint)_grid], ((uint)(invocations + 7) / 8, 1, 1));
        network.Output(Output, energy);
    }

    public DisplayMetadata Interpret(NetworkSpec spec, NetworkResult result)
    {
        var output = result.Outputs[Output];
        var grid = output.Shape[1];
        var values = output.Values.AsSpan(0, grid * grid).ToArray(); // the first clip
        var crop = result.Crops[0];
        var total = values.Sum();
        var boxes = Enumerable.Range(0, values.Length)
            .Where(i => values[i] >= _threshold && values[i] > 0)
            .OrderByDescending(i => values[i])
            .Take(_top)
            .Select(i => new BoxF(Cell(crop, grid, i / grid, i % grid), "motion", values[i] / total))
            .ToArray();
        var active = values.Count(v => v >= _threshold && v > 0);
        return new DisplayMetadata([new LabelScore("moving regions", (double)active / values.Length)], boxes, [], new HeatMap(crop, grid, grid, values));
    }

    /// <summary>Region (row, column) of the grid inside the crop (the kernel's integer bounds round these to pixels).</summary>
    private static RegionF Cell(RegionF crop, int grid, int row, int column)
    {
        var (w, h) = (crop.X1 - crop.X0, crop.Y1 - crop.Y0);
        return new RegionF(crop.X0 + w * column / grid, crop.Y0 + h * row / grid, crop.X0 + w * (column + 1) / grid, crop.Y0 + h * (row + 1) / grid);
    }
}
