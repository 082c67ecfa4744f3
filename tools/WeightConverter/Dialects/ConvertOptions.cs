namespace WeightConverter.Dialects;

/// <summary>What the weights cannot tell, from the command line; null takes the family's released default.</summary>
internal sealed record ConvertOptions
{
    /// <summary>video-nonlocal-net, pyslowfast, mmaction2, torchvision or detectron2; null detects it.</summary>
    public string? Dialect { get; init; }

    /// <summary>For 2D ImageNet ResNets: null (run as a 2D network), "c2d" or "i3d".</summary>
    public string? Inflate { get; init; }

    public int? Frames { get; init; }

    public int? SamplingRate { get; init; }

    /// <summary>Short side the frames are resized to before the crop; null takes the released 256.</summary>
    public int? ShortSide { get; init; }

    /// <summary>Square crop size; null takes the released 224.</summary>
    public int? Crop { get; init; }

    /// <summary>video-nonlocal-net's model builder: resnet_video or resnet_video_org (a Caffe2 pickle does not say).</summary>
    public string? Builder { get; init; }

    /// <summary>embedded_gaussian or dot_product where neither the weights nor the file's config tell them apart.</summary>
    public string? Instantiation { get; init; }

    /// <summary>mmaction2's `use_scale`.</summary>
    public bool? UseScale { get; init; }

    /// <summary>Temporal grouping of the non-local blocks (frames per group); 0 = none.</summary>
    public int? Group { get; init; }

    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>A detector's transform sizes (torchvision's min_size, max_size; released models: 800, 1333).</summary>
    public int? MinSize { get; init; }

    public int? MaxSize { get; init; }
}
