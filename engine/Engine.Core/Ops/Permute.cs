using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Output axis k is input axis axes[k]. An output axis longer than its input axis is zero-filled and a
/// shorter one is cropped, which is exactly the NCTHW -> channels-last conversion at a graph input
/// (channels padded to Cp) and its inverse for dumps (padding dropped): see <see cref="ToChannelsLast"/>
/// and <see cref="FromChannelsLast"/>.
/// </summary>
public sealed class Permute : IOp
{
    private readonly StridedCopy _copy;

    public Permute(Device device, Tensor input, Tensor output, ReadOnlySpan<int> axes, string name = "permute")
        : this(device, input, output, axes, name, device.Limits.maxStorageBufferRange)
    {
    }

    /// <summary>As the public constructor, with the destination chunk size forced (tests of the chunked path).</summary>
    internal Permute(Device device, Tensor input, Tensor output, ReadOnlySpan<int> axes, string name, ulong maxChunkBytes)
    {
        Name = name;
        var rank = input.Shape.Rank;
        var sorted = axes.ToArray().Order().ToArray();
        if (output.Shape.Rank != rank || axes.Length != rank || !sorted.SequenceEqual(Enumerable.Range(0, rank)))
            throw new EngineException($"{name}: axes ({string.Join(", ", axes.ToArray())}) do not permute input {input.Shape} into output {output.Shape}.");
        var dims = new long[rank];
        var extent = new long[rank];
        var strides = new long[rank];
        for (var k = 0; k < rank; k++)
        {
            dims[k] = output.Shape[k];
            extent[k] = input.Shape[axes[k]];
            strides[k] = input.Strides[axes[k]];
        }
        _copy = new StridedCopy(device, input, output, dims, extent, strides, 0, output.Strides.ToArray(), 0, name, maxChunkBytes);
    }

    public string Name { get; }

    public double Flops => 0;

    /// <summary>PyTorch's (N, C, T, H, W) to the channels-last (N, T, H, W, Cp) with zero padded channels.</summary>
    public static Permute ToChannelsLast(Device device, Tensor ncthw, Tensor output, string name = "to_channels_last")
    {
        var s = ncthw.Shape;
        var expected = s.Rank == 5 ? ChannelsLast.Shape(s[0], s[2], s[3], s[4], s[1]) : null;
        if (expected is null || output.Shape != expected)
            throw new EngineException($"{name}: input {s} must be (N, C, T, H, W) and output {output.Shape} its channels-last form {expected}.");
        return new Permute(device, ncthw, output, [0, 2, 3, 4, 1], name);
    }

    /// <summary>The channels-last (N, T, H, W, Cp) back to (N, C, T, H, W), dropping the padded channels.</summary>
    public static Permute FromChannelsLast(Device device, Tensor channelsLast, Tensor ncthw, string name = "from_channels_last")
    {
        var s = ncthw.Shape;
        if (s.Rank != 5 || channelsLast.Shape != ChannelsLast.Shape(s[0], s[2], s[3], s[4], s[1]))
            throw new EngineException($"{name}: input {channelsLast.Shape} must be the channels-last form of output {s} (N, C, T, H, W).");
        return new Permute(device, channelsLast, ncthw, [0, 4, 1, 2, 3], name);
    }

    /// <summary>Dispatches per run (more than one when the output is chunked).</summary>
    public int DispatchCount => _copy.DispatchCount;

    public void Record(CommandList list) => _copy.Record(list);
}
