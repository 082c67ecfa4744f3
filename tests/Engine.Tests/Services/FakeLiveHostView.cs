using Engine.Contracts;
using Engine.Host;
using Engine.Video;

namespace Engine.Tests.Services;

/// <summary>
/// A host with two streams and known figures, for the HTTP tests: "cam-a" is live with a prediction
/// and a magenta block in its view, "rtsp://cam/b" (an id with slashes) is reconnecting, has no
/// prediction and a cyan block, and its plugin was disabled. Parameters are validated as the host
/// does (ParameterSpec.Validate) and applied at once.
/// </summary>
public sealed class FakeLiveHostView : ILiveHostView
{
    public const string A = "cam-a";
    public const string B = "rtsp://cam/b";
    public const int Width = 96, Height = 64;

    public static readonly (byte R, byte G, byte B) Magenta = (255, 0, 255), Cyan = (0, 255, 255);

    /// <summary>Where each stream's block is drawn: (x, y, size).</summary>
    public static readonly (int X, int Y, int Size) BlockA = (16, 16, 32), BlockB = (50, 20, 24);

    public static readonly ParameterSpec[] DetectParameters =
    [
        ParameterSpec.Float("threshold", "Lowest score drawn.", 0.5, 0, 1),
        ParameterSpec.Int("classes", "Classes kept.", 10, 1, 80),
        ParameterSpec.Bool("draw_boxes", "Draw the boxes.", true),
        ParameterSpec.Choice("mode", "Speed or exactness.", "fast", "fast", "exact"),
    ];

    public static readonly PredictionRecord Prediction = new(A, 1234, 41.5, "detect", 120.5,
        [new LabelScore("jumping", 0.8125), new LabelScore("running", 0.125)],
        [(10, 12, 40, 50, "person", 0.875)]);

    private readonly Dictionary<string, string> _detectValues = DetectParameters.ToDictionary(p => p.Name, p => p.Default);
    private readonly StreamView _viewA = View(BlockA, Magenta, 7);
    private readonly StreamView _viewB = View(BlockB, Cyan, 3);

    public double PresentFpsA { get; set; } = 29.5;

    /// <summary>While false, stream B has no frame yet.</summary>
    public bool HasViewB { get; set; } = true;

    /// <summary>Every accepted SetParameter call, in order.</summary>
    public List<(string Stream, string Plugin, string Name, string Value)> Applied { get; } = [];

    public IReadOnlyList<StreamStatus> Streams()
    {
        lock (_detectValues)
        {
            return
            [
                new StreamStatus(A, "synthetic:1", SourceState.Live, 0, null, Width, Height, PresentFpsA, 1200, 3, 4.25, 120.5, 180.25, Prediction,
                    [new StreamPluginStatus("detect", true, null, DetectParameters, new Dictionary<string, string>(_detectValues))]),
                new StreamStatus(B, B, SourceState.Reconnecting, 2, "connection refused", Width, Height, 0, 310, 17, 0, 0, 0, null,
                    [new StreamPluginStatus("motion", false, "out of memory", [ParameterSpec.Int("window", "Frames compared.", 4, 2, 16)],
                        new Dictionary<string, string> { ["window"] = "4" })]),
            ];
        }
    }

    public StreamView? LatestView(string stream) => stream switch
    {
        A => _viewA,
        B when HasViewB => _viewB,
        _ => null,
    };

    public string? SetParameter(string stream, string plugin, string name, string value)
    {
        if (stream != A || plugin != "detect")
            return $"stream '{stream}' has no running plugin '{plugin}'";
        if (DetectParameters.FirstOrDefault(p => p.Name == name) is not { } spec)
            return $"plugin 'detect' has no parameter '{name}'";
        if (spec.Validate(value) is { } error)
            return error;
        lock (_detectValues)
            _detectValues[name] = value;
        Applied.Add((stream, plugin, name, value));
        return null;
    }

    /// <summary>A dark grey frame with one solid block of a colour the dashboard never uses itself.</summary>
    private static StreamView View((int X, int Y, int Size) block, (byte R, byte G, byte B) colour, long frame)
    {
        var rgba = new byte[Width * Height * 4];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var inside = x >= block.X && x < block.X + block.Size && y >= block.Y && y < block.Y + block.Size;
                var i = (y * Width + x) * 4;
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = inside ? (colour.R, colour.G, colour.B, (byte)255) : ((byte)40, (byte)40, (byte)40, (byte)255);
            }
        }
        return new StreamView(frame, Width, Height, rgba);
    }
}
