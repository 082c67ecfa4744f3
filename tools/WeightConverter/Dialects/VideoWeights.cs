namespace WeightConverter.Dialects;

/// <summary>
/// What a video ResNet's weights say about its shape, read once before any family rule runs: stage
/// depths, temporal kernel sizes, where the non-local blocks are and which variant their tensors imply,
/// and whether the normalisations are BNs or (Caffe2 "affine" models) scale and bias only.
/// </summary>
internal sealed class VideoWeights
{
    private VideoWeights(long[] stem, int[] stageBlocks, int[][] kernelA, int[][] kernelB, IReadOnlyList<NonLocalSite> nonLocal, bool affine)
    {
        StemShape = stem;
        StageBlocks = stageBlocks;
        TemporalA = kernelA;
        TemporalB = kernelB;
        NonLocal = nonLocal;
        Affine = affine;
    }

    /// <summary>The stem conv's weight shape: 5D, or 4D for a 2D ImageNet ResNet.</summary>
    public long[] StemShape { get; }

    public bool Is2D => StemShape.Length == 4;

    public int StemTemporalKernel => Is2D ? 1 : (int)StemShape[2];

    /// <summary>Blocks of res2..res5.</summary>
    public int[] StageBlocks { get; }

    public int Depth => 3 * StageBlocks.Sum() + 2;

    /// <summary>Temporal kernel size of conv a of every block, [stage][block].</summary>
    public int[][] TemporalA { get; }

    /// <summary>Temporal kernel size of conv b of every block, [stage][block].</summary>
    public int[][] TemporalB { get; }

    public IReadOnlyList<NonLocalSite> NonLocal { get; }

    /// <summary>The normalisations carry only scale and bias (no running statistics): a Caffe2 "affine" model.</summary>
    public bool Affine { get; }

    /// <summary>
    /// Reads the facts; null (with the stem key recorded as missing) when there is no stem. A malformed
    /// stem names the key and shape.
    /// </summary>
    public static VideoWeights? Read(StateDict source, VideoNaming naming)
    {
        var stem = source.ShapeOf(naming.Stem.Weight);
        if (stem is null)
        {
            source.Take(naming.Stem.Weight);
            return null;
        }
        if (stem.Length is not (4 or 5))
            throw new Engine.EngineException($"{source.Path}: key '{naming.Stem.Weight}' has shape ({string.Join(", ", stem)}), expected a 4D or 5D convolution kernel.");
        var blocks = new int[4];
        var kernelA = new int[4][];
        var kernelB = new int[4][];
        var sites = new List<NonLocalSite>();
        for (var s = 2; s <= 5; s++)
        {
            while (source.Has(naming.Conv(s, blocks[s - 2], 'a').Weight))
                blocks[s - 2]++;
            if (blocks[s - 2] == 0)
                source.Take(naming.Conv(s, 0, 'a').Weight);
            kernelA[s - 2] = new int[blocks[s - 2]];
            kernelB[s - 2] = new int[blocks[s - 2]];
            for (var k = 0; k < blocks[s - 2]; k++)
            {
                kernelA[s - 2][k] = TemporalSize(source.ShapeOf(naming.Conv(s, k, 'a').Weight));
                kernelB[s - 2][k] = TemporalSize(source.ShapeOf(naming.Conv(s, k, 'b').Weight));
                if (naming.NonLocal(s, k, source.Has) is { } keys && source.Has(keys.G.Weight))
                {
                    var embedded = source.Has(keys.Theta.Weight) || source.Has(keys.Phi.Weight);
                    var concatenation = keys.ConcatProject is not null && source.Has(keys.ConcatProject);
                    var output = source.Has(keys.Out.Mean) ? "bn" : source.Has(keys.Out.Gamma) ? "affine" : "none";
                    sites.Add(new NonLocalSite(s, k, keys, embedded, concatenation, output));
                }
            }
        }
        var affine = !source.Has(naming.Stem.Mean) && source.Has(naming.Stem.Gamma);
        return new VideoWeights(stem, blocks, kernelA, kernelB, sites, affine);
    }

    private static int TemporalSize(long[]? shape) => shape is { Length: 5 } ? (int)shape[2] : 1;
}
