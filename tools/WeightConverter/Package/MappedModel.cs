using System.Text.Json.Nodes;
using WeightConverter.Dialects;

namespace WeightConverter.Package;

/// <summary>The result of mapping a checkpoint: canonical tensors, the metadata the model builders need, and the bookkeeping for the summary.</summary>
internal sealed class MappedModel(string dialect, StateDict source)
{
    public string Dialect { get; } = dialect;

    public StateDict Source { get; } = source;

    public JsonObject Architecture { get; set; } = [];

    public JsonObject? Normalization { get; set; }

    public JsonObject? Clip { get; set; }

    public List<PackageTensor> Tensors { get; } = [];

    /// <summary>Normalisations (BN or affine) folded into the convolution before them.</summary>
    public int Folded { get; set; }

    /// <summary>Every setting the weights do not record, with where it came from (null for families not yet derived this way).</summary>
    public Rules.Derivation? Derivation { get; init; }

    /// <summary>Facts worth telling the user (defaults taken, inflation applied).</summary>
    public List<string> Notes { get; } = [];
}
