using System.Text.Json;
using Engine.Gpu;
using Engine.Graph;
using Engine.Graph.Nodes;
using Engine.Models;
using Engine.Ops;
using Engine.Tests.Gpu;

namespace Engine.Tests.Ops;

/// <summary>The non-local block against tests/fixtures/reference/nonlocal.py (fixtures from gen_nonlocal.py).</summary>
public sealed class NonLocalBlockTests(GpuFixture fixture) : GpuTest(fixture)
{
    private const string Set = "nonlocal";

    [Theory]
    [InlineData("embedded_scale_pool_then_conv")]
    [InlineData("embedded_noscale_conv_then_pool")]
    [InlineData("embedded_none_affine")]
    [InlineData("gaussian_none")]
    [InlineData("gaussian_pool_then_conv")]
    [InlineData("gaussian_conv_then_pool")]
    [InlineData("dot_pool_then_conv")]
    [InlineData("dot_conv_then_pool")]
    [InlineData("concat_conv_then_pool")]
    [InlineData("concat_none")]
    [InlineData("space")]
    [InlineData("time")]
    [InlineData("group")]
    [InlineData("group_temporal_pool")]
    [InlineData("wide_inner")]
    public void Block_matches_torch(string name) => RunCase(name, NonLocalBlock.DefaultAttentionBudget, expectSplit: false);

    [Theory]
    [InlineData("embedded_scale_pool_then_conv", 2048)]
    [InlineData("gaussian_none", 1024)]
    [InlineData("dot_conv_then_pool", 512)]
    [InlineData("concat_none", 512)]
    [InlineData("time", 256)]
    [InlineData("group_temporal_pool", 512)]
    [InlineData("wide_inner", 4096)]
    public void Block_matches_torch_with_keys_in_blocks_and_queries_in_chunks(string name, long budget) =>
        RunCase(name, budget, expectSplit: true, factorDotProduct: false);

    /// <summary>The released fixtures' softmax cases through the fused kernel (the large case: 4096 keys, 128 chunks of 32).</summary>
    [Theory]
    [InlineData("embedded_scale_pool_then_conv", 16, 8)]
    [InlineData("embedded_noscale_conv_then_pool", 16, 32)]
    [InlineData("embedded_none_affine", 4, 4)]
    [InlineData("gaussian_none", 8, 32)]
    [InlineData("gaussian_pool_then_conv", 16, 8)]
    [InlineData("gaussian_conv_then_pool", 3, 12)]
    [InlineData("space", 16, 8)]
    [InlineData("time", 16, 8)]
    [InlineData("group", 8, 16)]
    [InlineData("wide_inner", 16, 8)]
    [InlineData("large", 4, 32)]
    [InlineData("large", 16, 128)]
    [InlineData("time", 16, 64)]
    public void Fused_attention_matches_torch_on_the_block_fixtures(string name, int queryTile, int keyChunk) =>
        RunCase(name, NonLocalBlock.DefaultAttentionBudget, expectSplit: false, attention: new NonLocalAttention(AttentionKernel.Fused, queryTile, keyChunk));

    /// <summary>
    /// Fused attention (gen_nonlocal_fused.py: every softmax instantiation and mode, batch 2, a single
    /// key, key counts around the chunk sizes) against torch and against the blocked kernel on the same
    /// weights, for query tiles that do and do not divide the query count and every key chunk size class.
    /// Tolerances: 1e-4 of the block's largest contribution |z - x| against torch (as the blocked
    /// tests), 1e-5 of it against the blocked kernel (the same fp32 sums in another order).
    /// </summary>
    [Theory]
    [InlineData("embedded_scale_spacetime", 16, 8, 8)]
    [InlineData("embedded_scale_spacetime", 4, 32, 28)]
    [InlineData("embedded_scale_spacetime", 1, 4, 4)]
    [InlineData("embedded_noscale_spacetime_64", 8, 32, 32)]
    [InlineData("embedded_noscale_spacetime_64", 16, 12, 12)]
    [InlineData("embedded_noscale_space", 16, 8, 8)]
    [InlineData("embedded_noscale_space", 3, 32, 32)]
    [InlineData("embedded_noscale_space", 16, 128, 72)]
    [InlineData("embedded_noscale_spacetime_64", 16, 64, 64)]
    [InlineData("embedded_scale_spacetime", 16, 64, 56)]
    [InlineData("embedded_scale_spacetime", 8, 128, 108)]
    [InlineData("embedded_scale_time", 16, 8, 8)]
    [InlineData("embedded_scale_time", 5, 32, 20)]
    [InlineData("embedded_scale_time_single_key", 16, 8, 4)]
    [InlineData("embedded_scale_time_single_key", 2, 32, 4)]
    [InlineData("embedded_scale_group", 16, 8, 8)]
    [InlineData("embedded_scale_group", 4, 4, 4)]
    [InlineData("gaussian_spacetime_single_key", 16, 8, 4)]
    [InlineData("gaussian_spacetime_single_key", 1, 32, 4)]
    [InlineData("gaussian_space_conv_then_pool", 16, 8, 8)]
    [InlineData("gaussian_space_conv_then_pool", 7, 32, 32)]
    [InlineData("gaussian_time", 16, 8, 8)]
    [InlineData("gaussian_time", 4, 32, 24)]
    [InlineData("gaussian_spacetime", 16, 8, 8)]
    [InlineData("gaussian_spacetime", 32, 20, 20)]
    [InlineData("gaussian_spacetime", 16, 128, 84)]
    [InlineData("gaussian_time", 16, 64, 48)]
    public void Fused_attention_matches_torch_and_the_blocked_kernel(string name, int queryTile, int keyChunk, int chunk)
    {
        const string set = "nonlocal_fused";
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(set), name, "case.json")));
        var options = NonLocalJson.Parse(json.RootElement);
        var channels = json.RootElement.GetProperty("channels").GetInt32();
        var keys = json.RootElement.GetProperty("keys").GetInt32();
        var x = Fixtures.Npy(set, $"{name}/x");
        Assert.Equal(2, x.Shape[0]);
        var expected = Fixtures.Npy(set, $"{name}/z").ToFloats();
        var input = x.ToFloats();
        using var uploaded = Upload(options, channels, n => Fixtures.Npy(set, $"{name}/{n}").ToFloats());
        var (data, shape, _) = OpFixtures.ToChannelsLast(x);
        using var tx = Device.CreateTensor<float>("x", shape, data);
        var fused = new NonLocalAttention(AttentionKernel.Fused, queryTile, keyChunk);
        var (zFused, block) = Run(options, channels, uploaded.Weights, tx, fused);
        Assert.True(block.Fused);
        // The kernel balances its chunks: the fewest chunks of at most keyChunk keys, each the smallest
        // multiple of 4 covering the keys (worked out by hand per case: chunk).
        Assert.Equal(chunk, fused.ChunkFor(keys));
        Assert.Equal($"attention fused q{queryTile} k{chunk}", block.Variant);
        Assert.Equal(keys, block.KeysPerQuery);
        var (zBlocked, blocked) = Run(options, channels, uploaded.Weights, tx, NonLocalAttention.Default);
        Assert.Equal("attention blocked", blocked.Variant);

        var scale = ContributionScale(expected, input, name);
        OpFixtures.AssertPaddingZero(zFused, shape, channels, name);
        var (actual, reference) = (OpFixtures.FromChannelsLast(zFused, shape, channels), OpFixtures.FromChannelsLast(zBlocked, shape, channels));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(actual[i] - expected[i]) <= 1e-4f * scale, $"{name}: z[{i}] = {actual[i]}, torch {expected[i]} (scale {scale})");
            Assert.True(MathF.Abs(actual[i] - reference[i]) <= 1e-5f * scale, $"{name}: z[{i}] = {actual[i]}, blocked {reference[i]} (scale {scale})");
        }
    }

    [Theory]
    [InlineData("embedded_scale_pool_then_conv", "attention fused q16 k48")]
    [InlineData("gaussian_none", "attention fused q16 k92")]
    [InlineData("dot_pool_then_conv", "attention factored")]
    [InlineData("concat_none", "attention blocked")]
    public void Fused_attention_needs_no_score_buffer_and_reports_its_variant(string name, string variant)
    {
        var (options, channels, _) = ReadCase(name);
        var (_, shape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}/x"));
        var blockedBytes = NonLocalBlock.ScratchBytes(Device, options, channels, shape);
        var fusedBytes = NonLocalBlock.ScratchBytes(Device, options, channels, shape, attention: NonLocalAttention.Fused);
        var softmax = options.Instantiation is NonLocalInstantiation.Gaussian or NonLocalInstantiation.EmbeddedGaussian;
        if (softmax)
            Assert.True(fusedBytes < blockedBytes, $"{name}: fused scratch {fusedBytes} bytes must be below blocked {blockedBytes}");
        else
            Assert.Equal(blockedBytes, fusedBytes);
        using var uploaded = Upload(options, channels, n => Fixtures.Npy(Set, $"{name}/{n}").ToFloats());
        using var tx = Device.CreateTensor("x", shape);
        using var scratch = Device.CreateTensor("scratch", new Shape((int)(fusedBytes / 4)));
        var block = new NonLocalBlock(Device, tx, tx, uploaded.Weights, scratch, attention: NonLocalAttention.Fused);
        Assert.Equal(variant, block.Variant);
        Assert.Equal(variant, ((IOp)block).Variant);
        Assert.Equal(softmax, block.Fused);
    }

    [Theory]
    [InlineData(0, 8, "query tile 0")]
    [InlineData(33, 8, "query tile 33")]
    [InlineData(16, 6, "key chunk 6")]
    [InlineData(8, 132, "key chunk 132")]
    [InlineData(32, 128, "32 x key chunk 128")]
    public void Fused_attention_rejects_tiles_it_cannot_compile(int queryTile, int keyChunk, string message)
    {
        var e = Assert.Throws<EngineException>(() => new NonLocalAttention(AttentionKernel.Fused, queryTile, keyChunk).Validate());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Block_matches_torch_when_the_whole_affinity_exceeds_a_storage_binding()
    {
        var x = Fixtures.Npy(Set, "large/x");
        var (t, h, w) = (x.Shape[2], x.Shape[3], x.Shape[4]);
        var affinityBytes = 4L * (t * h * w) * (t * (h / 2) * (w / 2));
        Assert.True(affinityBytes > Device.Limits.maxStorageBufferRange, $"the large case's affinity ({affinityBytes} bytes) must exceed one binding");
        RunCase("large", NonLocalBlock.DefaultAttentionBudget, expectSplit: true);
    }

    [Fact]
    public void Block_splits_gemms_whose_activations_exceed_a_storage_binding()
    {
        const string name = "wide_activation";
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), name, "case.json")));
        var options = NonLocalJson.Parse(json.RootElement);
        var dims = json.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var channels = dims[1];
        var shape = new Shape(dims[0], dims[2], dims[3], dims[4], channels);
        Assert.True(shape.ElementCount * 4 > Device.Limits.maxStorageBufferRange, $"x {shape} must exceed one storage-buffer binding");

        // x = u (outer) v, the same float32 products the generator made.
        var u = Fixtures.Npy(Set, $"{name}/u").ToFloats();
        var v = Fixtures.Npy(Set, $"{name}/v").ToFloats();
        var x = new float[shape.ElementCount];
        for (var p = 0; p < v.Length; p++)
        {
            for (var c = 0; c < channels; c++)
                x[(long)p * channels + c] = u[c] * v[p];
        }
        using var uploaded = Upload(options, channels, n => Fixtures.Npy(Set, $"{name}/{n}").ToFloats());
        var weights = uploaded.Weights;
        using var tx = Device.CreateTensor<float>("x", shape, x);
        using var tz = Device.CreateTensor("z", shape);
        using var scratch = Device.CreateTensor("scratch", new Shape((int)(NonLocalBlock.ScratchBytes(Device, options, channels, shape) / 4)));
        Device.Run(new NonLocalBlock(Device, tx, tz, weights, scratch).Record);
        var z = tz.Download<float>();

        var rows = Fixtures.Npy(Set, $"{name}/rows");
        var expected = Fixtures.Npy(Set, $"{name}/z_rows").ToFloats();
        var inputRows = Fixtures.Npy(Set, $"{name}/x_rows").ToFloats();
        var scale = ContributionScale(expected, inputRows, name);
        for (var r = 0; r < rows.Shape[0]; r++)
        {
            var row = BitConverter.ToInt64(rows.Data, r * 8);
            for (var c = 0; c < channels; c++)
            {
                var (actual, want) = (z[row * channels + c], expected[r * channels + c]);
                Assert.True(MathF.Abs(actual - want) <= 1e-4f * scale, $"z[{row}, {c}] = {actual}, expected {want} (scale {scale})");
            }
        }
    }

    [Theory]
    [InlineData("space", 1, 3, 3)]
    [InlineData("time", 3, 1, 1)]
    [InlineData("group_temporal_pool", 2, 2, 2)]
    [InlineData("embedded_scale_pool_then_conv", 4, 3, 4)]
    public void Attention_map_shape_is_the_subsampled_key_grid_of_a_query(string name, int frames, int height, int width)
    {
        var (options, channels, _) = ReadCase(name);
        var (_, shape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}/x"));
        using var uploaded = Upload(options, channels, n => Fixtures.Npy(Set, $"{name}/{n}").ToFloats());
        var weights = uploaded.Weights;
        using var tx = Device.CreateTensor("x", shape);
        using var scratch = Device.CreateTensor("scratch", new Shape((int)(NonLocalBlock.ScratchBytes(Device, options, channels, tx.Shape) / 4)));
        var block = new NonLocalBlock(Device, tx, tx, weights, scratch);
        Assert.Equal(new Shape(frames, height, width), block.AttentionMapShape);
        Assert.Equal(block.KeysPerQuery, block.AttentionMapShape.ElementCount);
    }

    [Theory]
    [InlineData("embedded_scale_pool_then_conv", NonLocalBlock.DefaultAttentionBudget)]
    [InlineData("gaussian_conv_then_pool", NonLocalBlock.DefaultAttentionBudget)]
    [InlineData("dot_pool_then_conv", NonLocalBlock.DefaultAttentionBudget)]
    [InlineData("concat_conv_then_pool", NonLocalBlock.DefaultAttentionBudget)]
    [InlineData("space", NonLocalBlock.DefaultAttentionBudget)]
    [InlineData("time", NonLocalBlock.DefaultAttentionBudget)]
    [InlineData("group_temporal_pool", 512)]
    [InlineData("embedded_scale_pool_then_conv", NonLocalBlock.DefaultAttentionBudget, true)]
    [InlineData("time", NonLocalBlock.DefaultAttentionBudget, true)]
    public void Attention_map_of_one_query_matches_torch(string name, long budget, bool fused = false)
    {
        var attention = fused ? NonLocalAttention.Fused : null;
        var (options, channels, position) = ReadCase(name);
        var (x, shape, _) = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, $"{name}/x"));
        var expected = Fixtures.Npy(Set, $"{name}/attention").ToFloats();
        using var uploaded = Upload(options, channels, n => Fixtures.Npy(Set, $"{name}/{n}").ToFloats());
        var weights = uploaded.Weights;
        using var tx = Device.CreateTensor<float>("x", shape, x);
        using var tz = Device.CreateTensor("z", tx.Shape);
        using var scratch = Device.CreateTensor("scratch", new Shape((int)(NonLocalBlock.ScratchBytes(Device, options, channels, tx.Shape, budget, attention) / 4)));
        using var map = Device.CreateTensor("map", new Shape(expected.Length));
        using var query = Device.CreateTensor<float>("query", new Shape(NonLocalBlock.QueryElements), Query(shape, position));
        var block = new NonLocalBlock(Device, tx, tz, weights, scratch, budget, attention: attention);
        Assert.Equal(fused, block.Fused);
        Assert.Equal(expected.Length, block.KeysPerQuery);
        Device.Run(list =>
        {
            block.Record(list);
            block.RecordAttentionMap(list, query, map);
        });
        var actual = map.Download<float>();
        var scale = expected.Max(MathF.Abs);
        Assert.True(scale > 0, "the reference attention map is all zeros");
        for (var j = 0; j < expected.Length; j++)
            Assert.True(MathF.Abs(actual[j] - expected[j]) <= 1e-5f * scale, $"{name} key {j}: {actual[j]} != {expected[j]}");
    }

    [Fact]
    public void Options_parse_the_package_entry()
    {
        using var json = JsonDocument.Parse("""
            {"stage": 3, "block": 1, "instantiation": "concatenation", "scale": false, "inner": 256,
             "subsample": "conv_then_pool", "pool": [1, 2, 2], "mode": "spacetime", "group": 4, "output": "affine"}
            """);
        var options = NonLocalJson.Parse(json.RootElement);
        Assert.Equal(NonLocalInstantiation.Concatenation, options.Instantiation);
        Assert.Equal(NonLocalSubsample.ConvThenPool, options.Subsample);
        Assert.Equal((1, 2, 2), options.PoolKernel);
        Assert.Equal((256, 4, NonLocalOutput.Affine), (options.Inner, options.Group, options.Output));
    }

    [Theory]
    [InlineData("""{"instantiation": "softmax", "inner": 4}""", "softmax")]
    [InlineData("""{"instantiation": "dot_product", "inner": 4, "subsample": "pool_then_conv", "pool": [1, 2, 2], "mode": "time"}""", "time-only")]
    [InlineData("""{"instantiation": "dot_product", "inner": 4, "subsample": "pool_then_conv", "pool": [2, 2, 2], "mode": "space"}""", "space-only")]
    [InlineData("""{"instantiation": "dot_product", "inner": 4, "subsample": "pool_then_conv", "pool": [2, 2, 2], "group": 3}""", "group 3")]
    public void Options_reject_variants_that_cannot_run(string entry, string message)
    {
        using var json = JsonDocument.Parse(entry);
        var e = Assert.Throws<EngineException>(() => NonLocalJson.Parse(json.RootElement));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Block_rejects_an_input_whose_channels_do_not_match_the_weights()
    {
        var options = new NonLocalOptions(NonLocalInstantiation.DotProduct, false, 4, NonLocalSubsample.None, [1, 1, 1]);
        using var uploaded = Upload(options, 6, n => new float[n switch
        {
            "out.weight" or "theta.weight" or "phi.weight" or "g.weight" => 24,
            "out.bias" => 6,
            _ => 4,
        }]);
        using var x = Device.CreateTensor("x", new Shape(1, 2, 3, 3, 4));
        using var scratch = Device.CreateTensor("scratch", new Shape(1 << 16));
        var e = Assert.Throws<EngineException>(() => new NonLocalBlock(Device, x, x, uploaded.Weights, scratch, name: "res3.1.nonlocal"));
        Assert.Contains("res3.1.nonlocal", e.Message);
        Assert.Contains("(1, 2, 3, 3, 4)", e.Message);
    }

    [Fact]
    public void Weights_name_a_tensor_of_the_wrong_size()
    {
        var options = new NonLocalOptions(NonLocalInstantiation.Concatenation, false, 4, NonLocalSubsample.None, [1, 1, 1]);
        var e = Assert.Throws<EngineException>(() => NonLocalWeights.Pack(options, 6, n => new float[n switch
        {
            "out.weight" or "theta.weight" or "phi.weight" or "g.weight" => 24,
            "out.bias" => 6,
            "concat_project.weight" => 4,
            _ => 4,
        }], "res4.3.nonlocal"));
        Assert.Contains("res4.3.nonlocal: concat_project.weight has 4 values, expected 8", e.Message);
    }

    /// <summary>
    /// Every attention kernel the tuner can pick for a graph's non-local node (<see cref="NonLocalNode.Candidates"/>:
    /// blocked, then the fused tiles, each also with shared-memory GEMMs) compiled with that choice, reported
    /// as the variant that ran, and checked against torch; softmax fixtures offer the fused tiles, dot
    /// product and concatenation one attention kernel.
    /// </summary>
    [Theory]
    [InlineData("embedded_scale_pool_then_conv", 6)]
    [InlineData("gaussian_none", 6)]
    [InlineData("time", 6)]
    [InlineData("group", 6)]
    [InlineData("large", 6)]
    [InlineData("dot_conv_then_pool", 2)]
    [InlineData("concat_none", 2)]
    public void Every_attention_variant_the_tuner_can_pick_matches_torch(string name, int variants)
    {
        var (options, channels, _) = ReadCase(name);
        var x = Fixtures.Npy(Set, $"{name}/x");
        var expected = Fixtures.Npy(Set, $"{name}/z").ToFloats();
        var (data, shape, _) = OpFixtures.ToChannelsLast(x);
        var node = new NonLocalNode("nl", "x", "z", options, channels, n => Fixtures.Npy(Set, $"{name}/{n}").ToFloats());
        var xSpec = TensorSpec.Activation(shape[0], shape[1], shape[2], shape[3], channels);
        var candidates = node.Candidates(Device, [xSpec], new CompileOptions());
        Assert.Equal(variants, candidates.Count);
        Assert.Equal(NonLocalBlock.VariantFor(Device, options, channels, shape, NonLocalAttention.Default), candidates[0]);
        Assert.Equal(variants / 2, candidates.Count(c => c.EndsWith(" gemm-shared", StringComparison.Ordinal)));
        var scale = ContributionScale(expected, x.ToFloats(), name);
        foreach (var variant in candidates)
        {
            using var compiled = Compile(node, xSpec, variant);
            Assert.Equal(variant, compiled.Variants["nl"]);
            compiled.SetInput("x", data);
            compiled.Run();
            var actual = compiled.ReadTorch("z").ToFloats();
            var worst = expected.Zip(actual).Max(p => MathF.Abs(p.First - p.Second));
            Assert.True(worst <= 1e-4f * scale, $"{name} as {variant}: max abs error {worst} exceeds 1e-4 x {scale}");
        }
    }

    [Theory]
    [InlineData("attention fused q32 k64")] // a tile the tuner does not time
    [InlineData("attention fused q16 k999")]
    [InlineData("attention fused q16")]
    [InlineData("attention fused q32 k64 gemm-shared")]
    [InlineData("attention blocked gemm-private")]
    [InlineData("attention gemm-shared")]
    [InlineData("winograd f4")]
    public void An_attention_choice_the_tuner_cannot_make_runs_blocked(string choice)
    {
        var (options, channels, _) = ReadCase("embedded_scale_pool_then_conv");
        var shape = OpFixtures.ToChannelsLast(Fixtures.Npy(Set, "embedded_scale_pool_then_conv/x")).Shape;
        var node = new NonLocalNode("nl", "x", "z", options, channels, n => Fixtures.Npy(Set, $"embedded_scale_pool_then_conv/{n}").ToFloats());
        using var compiled = Compile(node, TensorSpec.Activation(shape[0], shape[1], shape[2], shape[3], channels), choice);
        Assert.Equal("attention blocked", compiled.Variants["nl"]);
    }

    private CompiledGraph Compile(NonLocalNode node, TensorSpec x, string variant)
    {
        var graph = new GraphBuilder($"nonlocal {variant}");
        graph.Input("x", x);
        graph.Add(node);
        graph.Output("z");
        return graph.Compile(Device, new CompileOptions { Variants = new Dictionary<string, string> { [node.TuningKey([x], new CompileOptions())] = variant } });
    }

    /// <summary>Dot product runs factored (theta (phi^T g) / N) unless <paramref name="factorDotProduct"/> is false or the attention is time-only.</summary>
    private void RunCase(string name, long budget, bool expectSplit, bool factorDotProduct = true, NonLocalAttention? attention = null)
    {
        var (options, channels, _) = ReadCase(name);
        var x = Fixtures.Npy(Set, $"{name}/x");
        var expected = Fixtures.Npy(Set, $"{name}/z").ToFloats();
        using var uploaded = Upload(options, channels, n => Fixtures.Npy(Set, $"{name}/{n}").ToFloats());
        var weights = uploaded.Weights;
        var input = x.ToFloats();
        var (data, shape, _) = OpFixtures.ToChannelsLast(x);
        using var tx = Device.CreateTensor<float>("x", shape, data);
        var (z, block) = Run(options, channels, weights, tx, attention, budget, factorDotProduct);
        Assert.Equal(attention?.Kernel == AttentionKernel.Fused, block.Fused);
        Assert.Equal(expectSplit, block.KeyBlocks > 1 || block.QueryChunks > 1);
        Assert.Equal(factorDotProduct && options.Instantiation == NonLocalInstantiation.DotProduct && options.Mode != NonLocalMode.Time, block.Factored);

        var scale = ContributionScale(expected, input, name);
        OpFixtures.AssertPaddingZero(z, shape, channels, name);
        var actual = OpFixtures.FromChannelsLast(z, shape, channels);
        var worst = 0f;
        var at = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var error = MathF.Abs(actual[i] - expected[i]);
            if (!(error <= worst))
                (worst, at) = (error, i);
        }
        Assert.True(worst <= 1e-4f * scale, $"{name}: max abs error {worst} at {at} ({actual[at]} != {expected[at]}) exceeds 1e-4 x {scale}");
    }

    /// <summary>
    /// Each dispatch of the block once, for cases small enough that no GEMM or pool splits into row
    /// chunks: the pools, the theta, [phi | g] and out GEMMs, the key transpose, and per key block of
    /// each query chunk scores, softmax (softmax variants) and attend; factored dot product attends twice.
    /// </summary>
    private static int ExpectedDispatches(NonLocalOptions options, NonLocalBlock block)
    {
        var gaussian = options.Instantiation == NonLocalInstantiation.Gaussian;
        var softmax = gaussian || options.Instantiation == NonLocalInstantiation.EmbeddedGaussian;
        var poolX = options.Subsample == NonLocalSubsample.PoolThenConv || (gaussian && options.Subsample != NonLocalSubsample.None) ? 1 : 0;
        var poolKv = options.Subsample == NonLocalSubsample.ConvThenPool ? 1 : 0;
        var gemms = (gaussian ? 0 : 1) + 1 + 1;
        var attention = block.Factored || block.Fused ? (block.Factored ? 2 : 1) : block.QueryChunks * block.KeyBlocks * (softmax ? 3 : 2);
        return poolX + poolKv + gemms + 1 + attention;
    }

    /// <summary>
    /// The block with <paramref name="attention"/> on <paramref name="x"/> from NaN-filled scratch (garbage
    /// in the scratch must not leak into the result: the first key block never reads y), checking its
    /// dispatch count: its z and the block.
    /// </summary>
    private (float[] Z, NonLocalBlock Block) Run(NonLocalOptions options, int channels, NonLocalWeights weights, Tensor x, NonLocalAttention? attention,
        long budget = NonLocalBlock.DefaultAttentionBudget, bool factorDotProduct = true)
    {
        using var z = Device.CreateTensor("z", x.Shape);
        using var scratch = Device.CreateTensor("scratch",
            new Shape((int)(NonLocalBlock.ScratchBytes(Device, options, channels, x.Shape, budget, factorDotProduct, attention) / 4)));
        Device.Run(list => list.Fill(scratch, BitConverter.SingleToUInt32Bits(float.NaN)));
        var block = new NonLocalBlock(Device, x, z, weights, scratch, budget, "nonlocal", factorDotProduct, attention);
        var dispatches = 0;
        Device.Run(list =>
        {
            block.Record(list);
            dispatches = list.DispatchCount;
        });
        Assert.Equal(ExpectedDispatches(options, block), dispatches);
        return (z.Download<float>(), block);
    }

    /// <summary>The block's largest contribution |z - x| in the reference, the scale of the tolerances: an error in the attention cannot hide behind x.</summary>
    private static float ContributionScale(float[] expected, float[] input, string name)
    {
        var scale = 0f;
        for (var i = 0; i < expected.Length; i++)
            scale = MathF.Max(scale, MathF.Abs(expected[i] - input[i]));
        Assert.True(scale > 1e-3f, $"{name}: the reference block is (nearly) an identity");
        return scale;
    }

    private UploadedNonLocalWeights Upload(NonLocalOptions options, int channels, Func<string, float[]> read) => new(Device, options, channels, read);

    /// <summary>The query (x, y, t, clip) whose position is the flat channels-last <paramref name="position"/> of <paramref name="shape"/>: fractions at the centre of the position's cell.</summary>
    internal static float[] Query(Shape shape, long position)
    {
        var (t, h, w) = (shape[1], shape[2], shape[3]);
        var (n, frame, row, column) = (position / ((long)t * h * w), position / ((long)h * w) % t, position / w % h, position % w);
        return [(column + 0.5f) / w, (row + 0.5f) / h, (frame + 0.5f) / t, n];
    }

    private static (NonLocalOptions Options, int Channels, long Position) ReadCase(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.Dir(Set), name, "case.json")));
        var root = json.RootElement;
        return (NonLocalJson.Parse(root), root.GetProperty("channels").GetInt32(), root.GetProperty("position").GetInt64());
    }
}
