using Engine.Gpu;

namespace Engine.Ops;

/// <summary>
/// Softmax over the channels of every position of a channels-last tensor (..., Cp) holding C real
/// channels (shaders/ops/softmax_channels.comp): the class probabilities of a head, per clip or per
/// position. Padded channels take no part and come out zero.
/// </summary>
public sealed class ChannelSoftmax : IOp
{
    private readonly Pipeline _pipeline;
    private readonly Tensor _input;
    private readonly Tensor _output;
    private readonly Push _push;
    private readonly Groups _groups;

    public ChannelSoftmax(Device device, Tensor input, Tensor output, int channels, string name = "softmax")
    {
        Name = name;
        var cp = input.Shape[-1];
        if (output.Shape != input.Shape || !input.IsContiguous || !output.IsContiguous || channels <= 0 || channels > cp)
            throw new EngineException($"{name}: softmax over {channels} channels of input {input.Shape} into output {output.Shape}: shapes must match, be contiguous and hold the channels last.");
        (_input, _output) = (input, output);
        var rows = (uint)(input.ElementCount / cp);
        _push = new Push(rows, (uint)channels, (uint)cp);
        _groups = RowGrid.Of(device, 1, rows);
        _pipeline = device.Pipeline("ops/softmax_channels");
        Flops = 4.0 * rows * channels;
    }

    public string Name { get; }

    public double Flops { get; }

    public void Record(CommandList list) => list.Dispatch(_pipeline, _groups, _push, _input, _output);

    private readonly record struct Push(uint Rows, uint Channels, uint Stride);
}
