namespace Engine.Ops;

/// <summary>Where a non-local block max-pools its keys and values (phi and g).</summary>
public enum NonLocalSubsample
{
    /// <summary><c>none</c>: every position is a key.</summary>
    None,

    /// <summary><c>pool_then_conv</c>: pool x, then the phi and g convs (Caffe2, PySlowFast).</summary>
    PoolThenConv,

    /// <summary><c>conv_then_pool</c>: the phi and g convs, then pool their outputs (mmcv).</summary>
    ConvThenPool,
}
