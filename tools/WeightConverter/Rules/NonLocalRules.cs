using Engine;
using WeightConverter.Dialects;

namespace WeightConverter.Rules;

/// <summary>The non-local variant a file's blocks compute: what the tensors imply, else the config, a flag or the family's rule.</summary>
internal static class NonLocalRules
{
    public static readonly string[] Instantiations = ["gaussian", "embedded_gaussian", "dot_product", "concatenation"];

    public static string Instantiation(Derivation d, VideoWeights weights, Choice<string>? file, Choice<string>? flag, Choice<string> otherwise)
    {
        foreach (var c in new[] { file, flag })
        {
            if (c is { } named && !Instantiations.Contains(named.Value))
                throw new EngineException($"{d.Path}: {named.Detail} '{named.Value}' is not a non-local mode this engine has ({string.Join(", ", Instantiations)}).");
        }
        var implied = weights.NonLocal.Select(s => s.ImpliedInstantiation).Distinct().ToList();
        if (implied.Count > 1)
            throw d.Refuse("non-local blocks", $"the tensors mix variants ({string.Join(", ", implied.Select(i => i ?? "embedded_gaussian or dot_product"))}); one network has one instantiation.");
        if (implied is [{ } fromWeights])
        {
            var why = fromWeights == "gaussian" ? "no theta or phi tensors" : "a concat_project tensor";
            if (file is { } f && f.Value != fromWeights)
                throw d.Refuse(f.Detail, $"says '{f.Value}', but the weights are {fromWeights} ({why}).");
            if (flag is { } g && g.Value != fromWeights)
                throw new EngineException($"{d.Path}: {g.Detail} {g.Value} contradicts the weights, which are {fromWeights} ({why}).");
            return d.Record("nonlocal.instantiation", file ?? Choice.Weights(fromWeights, why));
        }
        if (file is { } stated && stated.Value is "gaussian" or "concatenation")
            throw d.Refuse(stated.Detail, $"says '{stated.Value}', but the weights have theta and phi tensors{(stated.Value == "concatenation" ? " and no concat_project" : "")}.");
        if (flag is { } given && given.Value is "gaussian" or "concatenation")
            throw new EngineException($"{d.Path}: {given.Detail} {given.Value} contradicts the weights (theta and phi tensors, no concat_project).");
        return d.Decide("nonlocal.instantiation", file, flag, otherwise);
    }
}
