using System.Reflection;
using Engine.Contracts;

namespace {{Name}}.Tests;

/// <summary>
/// An <see cref="INetworkBuilder"/> that only records what a plugin asks for, so Build can be tested
/// without a GPU. It is a proxy rather than a class implementing the interface, so members a later
/// minor version of the API adds never break this project (calling one that is not recorded throws).
/// </summary>
public class RecordingNetwork : DispatchProxy
{
    private int _next = 1;

    public sealed record KernelCall(string Shader, IReadOnlyList<int> OutputShape, IReadOnlyList<NetworkTensor> Inputs, uint[] Push, (uint X, uint Y, uint Z) Groups);

    public NetworkTensor Input { get; private set; } = new(0, []);

    public List<KernelCall> Kernels { get; } = [];

    public Dictionary<string, NetworkTensor> Outputs { get; } = [];

    /// <summary>A network whose input has <paramref name="inputShape"/>, and the record of what is built on it.</summary>
    public static (INetworkBuilder Network, RecordingNetwork Record) Create(IReadOnlyList<int> inputShape)
    {
        var network = DispatchProxy.Create<INetworkBuilder, RecordingNetwork>();
        var record = (RecordingNetwork)(object)network;
        record.Input = new NetworkTensor(0, inputShape);
        return (network, record);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var a = args ?? [];
        switch (targetMethod?.Name)
        {
            case "get_" + nameof(INetworkBuilder.Input):
                return Input;
            case nameof(INetworkBuilder.Kernel):
                var call = new KernelCall((string)a[0]!, (IReadOnlyList<int>)a[1]!, (IReadOnlyList<NetworkTensor>)a[2]!, (uint[])a[3]!, ((uint, uint, uint))a[4]!);
                Kernels.Add(call);
                return Tensor(call.OutputShape);
            case nameof(INetworkBuilder.Constant) or nameof(INetworkBuilder.Reshape):
                return Tensor((IReadOnlyList<int>)a[1]!);
            case nameof(INetworkBuilder.Linear):
                return Tensor([((NetworkTensor)a[0]!).Shape[0], ((NetworkTensor)a[1]!).Shape[1]]);
            case nameof(INetworkBuilder.Output):
                Outputs.Add((string)a[0]!, (NetworkTensor)a[1]!);
                return null;
            default:
                throw new NotSupportedException($"{nameof(RecordingNetwork)} does not record {targetMethod?.Name}.");
        }
    }

    private NetworkTensor Tensor(IReadOnlyList<int> shape) => new(_next++, shape);
}
