using Engine.Tests.Cli;

namespace Engine.Tests.Converter;

/// <summary>
/// `weight-converter inspect` says where every derived setting came from (file config, weights, family
/// rule, flag, default), and `convert` warns for each assumption, on the family fixtures.
/// </summary>
public sealed class ProvenanceTests
{
    private static string Family(string set, string file) => Path.Combine(Fixtures.Dir(set), file);

    [Fact]
    public void A_file_that_says_everything_is_converted_from_its_config_without_assumptions()
    {
        var (code, stdout, stderr) = CliProcess.RunConverter("inspect", Family("family_mmaction2", "mm1x_i3d_nl_dot_product_r50.pth"));
        Assert.True(code == 0, stderr);
        var text = Flatten(stdout);
        Assert.Contains("nonlocal.instantiation = dot_product <- file config: meta.cfg model.backbone.non_local_cfg.mode", text, StringComparison.Ordinal);
        Assert.Contains("clip.frames = 32 <- file config: meta.cfg pipeline SampleFrames.clip_len", text, StringComparison.Ordinal);
        Assert.Contains("stem.stride_s = 2 <- family rule: mmaction/models/backbones/resnet3d.py", text, StringComparison.Ordinal);
        Assert.DoesNotContain("default (warning)", text, StringComparison.Ordinal);

        (code, stdout, stderr) = CliProcess.RunConverter("inspect", Family("family_slowfast_caffe2", "slowfast_i3d_nln_softmax.pyth"));
        Assert.True(code == 0, stderr);
        Assert.Contains("nonlocal.instantiation = embedded_gaussian <- file config: cfg NONLOCAL.INSTANTIATION", Flatten(stdout), StringComparison.Ordinal);
        Assert.DoesNotContain("default (warning)", Flatten(stdout), StringComparison.Ordinal);
    }

    [Fact]
    public void A_caffe2_pickle_names_each_assumption_and_flags_replace_them()
    {
        var pickle = Family("family_slowfast_caffe2", "vnl_i3d_nl_r50.pkl");
        var (code, stdout, stderr) = CliProcess.RunConverter("inspect", pickle);
        Assert.True(code == 0, stderr);
        var text = Flatten(stdout);
        Assert.Contains("builder = resnet_video <- default (warning): a Caffe2 pickle does not record its model builder", text, StringComparison.Ordinal);
        Assert.Contains("clip.frames = 8 <- default (warning)", text, StringComparison.Ordinal);
        Assert.Contains("head.pool = [-1, 7, 7] <- family rule: lib/models/resnet_video.py create_model pool5", text, StringComparison.Ordinal);

        (code, stdout, stderr) = CliProcess.RunConverter("inspect", pickle, "--builder", "resnet_video_org", "--frames", "32");
        Assert.True(code == 0, stderr);
        text = Flatten(stdout);
        Assert.Contains("builder = resnet_video_org <- flag: --builder", text, StringComparison.Ordinal);
        Assert.Contains("stem.stride = [2, 2, 2] <- family rule: lib/models/resnet_video_org.py obtain_arc", text, StringComparison.Ordinal);

        var output = Path.Combine(Path.GetTempPath(), $"provenance-{Guid.NewGuid():N}.safetensors");
        try
        {
            (code, _, stderr) = CliProcess.RunConverter("convert", pickle, "-o", output);
            Assert.Equal(0, code);
            Assert.Contains("warning: builder = resnet_video assumed", stderr, StringComparison.Ordinal);
            Assert.Contains("warning: clip.frames = 8 assumed", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>The console styles and wraps long lines: compare on plain, single-spaced text.</summary>
    private static string Flatten(string text) =>
        System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(text, "\u001b\\[[0-9;]*m", ""), @"\s+", " ");
}
