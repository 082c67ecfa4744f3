using Engine.Gpu;

namespace Engine.Graph.Nodes;

/// <summary>
/// Optional inputs of the detection nodes: a node lists only the tensors it was given, so optional
/// ones (counts, candidate indices, groups) are found by name, and the names are listed without nulls.
/// </summary>
internal static class DetectionInputs
{
    public static string[] List(params string?[] names) => [.. names.OfType<string>()];

    public static Tensor? Tensor(Node node, NodeTensors tensors, string? name) =>
        name is null ? null : tensors.Inputs[IndexOf(node, name)];

    public static TensorSpec? Spec(Node node, IReadOnlyList<TensorSpec> inputs, string? name) =>
        name is null ? null : inputs[IndexOf(node, name)];

    /// <summary>An error unless the named input is absent or a (1) uint32 count tensor.</summary>
    public static void RequireCount(Node node, IReadOnlyList<TensorSpec> inputs, string? name)
    {
        if (Spec(node, inputs, name) is { } spec && (spec.Shape.ElementCount != 1 || spec.Type != DataType.UInt32))
            throw new EngineException($"{node}: count '{name}' {spec} must be a (1) uint32 tensor.");
    }

    private static int IndexOf(Node node, string name)
    {
        for (var i = 0; i < node.Inputs.Count; i++)
        {
            if (node.Inputs[i] == name)
                return i;
        }
        throw new EngineException($"{node}: no input '{name}'.");
    }
}
