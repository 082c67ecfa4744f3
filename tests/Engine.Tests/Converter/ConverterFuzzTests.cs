using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Engine.Files;
using WeightConverter.Config;
using WeightConverter.Containers;
using WeightConverter.Dialects;
using WeightConverter.Package;

namespace Engine.Tests.Converter;

/// <summary>
/// A deterministic mutation fuzzer over small checkpoints of every container: truncations, bit flips,
/// corrupted length fields, splices (a run of the file's own bytes inserted or written elsewhere) and
/// swapped pickle opcodes (also inside a zip's data.pkl). Every case must
/// end in success or an <see cref="EngineException"/>, within a time limit and without an allocation
/// sized by a corrupt header. The config-text readers get the same treatment on mutated texts.
/// </summary>
public sealed class ConverterFuzzTests
{
    // CI runs 10,000 cases from a fixed seed; CONVERTER_FUZZ_CASES and CONVERTER_FUZZ_SEED run longer or different campaigns.
    private static readonly int _cases = int.TryParse(Environment.GetEnvironmentVariable("CONVERTER_FUZZ_CASES"), out var n) ? n : 10_000;
    private static readonly int _seed = int.TryParse(Environment.GetEnvironmentVariable("CONVERTER_FUZZ_SEED"), out var s) ? s : 20261121;
    private const long AllocationLimit = 64L << 20;
    private static readonly TimeSpan _caseTimeout = TimeSpan.FromSeconds(20);

    private static readonly string[] _seeds =
    [
        "seed_zip.pth", "seed_legacy.pt", "seed_py2.pkl", "seed_p2.pkl", "seed_p5.pkl", "seed.safetensors",
        "numpy_p0.pkl", "numpy_p1.pkl", "numpy_p3.pkl", "numpy_p4.pkl", "numpy_py2.pkl", "dtypes.pth", "dtypes_legacy.pt",
        "big_endian.pth", "evil_eval.pkl", "view_ok.pth",
    ];

    // Every opcode of pickle protocols 0-5, so a swap produces a valid-looking but wrong instruction.
    private static readonly byte[] _opcodes = "(.012FIJKLMNPQRSTUVXabcdeghijlopqrstu}])GBC"u8.ToArray()
        .Concat(Enumerable.Range(0x80, 0x19).Select(b => (byte)b)).ToArray();

    private static readonly uint[] _lengths = [0, 1, 7, 8, 255, 256, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFF0];

    [Fact]
    public async Task Mutated_checkpoints_never_crash_hang_or_allocate_from_a_header()
    {
        var random = new Random(_seed);
        var seeds = _seeds.Select(s => (Name: s, Bytes: File.ReadAllBytes(ConverterFixtures.File(s)))).ToArray();
        var dir = Directory.CreateTempSubdirectory("converter-fuzz-").FullName;
        var failures = new List<string>();
        var errors = 0;
        try
        {
            for (var i = 0; i < _cases && failures.Count < 5; i++)
            {
                var (name, bytes) = seeds[i % seeds.Length];
                var kind = random.Next(6);
                var mutated = kind == 5 && name.EndsWith(".pth", StringComparison.Ordinal) ? MutateInnerPickle(bytes, random) : Mutate(bytes, kind, random);
                var path = Path.Combine(dir, $"case{i % 8}-{name}");
                File.WriteAllBytes(path, mutated);
                var run = Task.Run(() =>
                {
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    var failed = false;
                    try
                    {
                        Exercise(path);
                    }
                    catch (EngineException e) when (e.Message.StartsWith(path, StringComparison.Ordinal))
                    {
                        failed = true;
                    }
                    return (Allocated: GC.GetAllocatedBytesForCurrentThread() - before, Failed: failed);
                });
                (long Allocated, bool Failed) result;
                try
                {
                    result = await run.WaitAsync(_caseTimeout);
                }
                catch (TimeoutException)
                {
                    failures.Add($"case {i} ({name}, mutation {kind}) did not finish in {_caseTimeout.TotalSeconds} s");
                    break;
                }
                catch (Exception e)
                {
                    failures.Add($"case {i} ({name}, mutation {kind}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                    File.Copy(path, Path.Combine(Path.GetTempPath(), $"fuzz-failure-{i}-{name}"), overwrite: true);
                    continue;
                }
                if (result.Allocated > AllocationLimit)
                    failures.Add($"case {i} ({name}, mutation {kind}) allocated {result.Allocated >> 20} MiB");
                errors += result.Failed ? 1 : 0;
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Most mutations must be caught; a fuzzer whose cases all pass tests nothing.
        Assert.InRange(errors, _cases / 4, _cases);
    }

    // Fragments that matter to one of the two grammars, spliced into the config texts.
    private static readonly string[] _fragments =
    [
        ":", ": ", "- ", "-", "?", "? ", "[", "]", "{", "}", ",", "'", "\"", "\\", "\n", "\n  ", "  ", "\t", "#", "&a ", "*a", "!!str ", "|", ">",
        "---\n", "...\n", "%", "@", "(", ")", "=", " = ", "dict(", "**", ".", "0x", "0b1_", "1e", "1_", "-", "+", "\\\n", "\u2028", "\u0085",
        "\0", "\u0001", "é", "\"\"\"", "\'\'\'", "r'", "b'", "f'", "\\x", "\\u12", "\\U0011FFFF", "\\N{X}", "lambda", "for", "None",
        "True", "yes", ".inf", "2001-01-01", "<<", "~", "\r\n", "\r", "\uFEFF", "\uD800",
    ];

    [Fact]
    public async Task Mutated_config_texts_never_crash_or_hang()
    {
        var random = new Random(_seed);
        var seeds = ConfigExpectation.Cases("yaml").Concat(ConfigExpectation.Cases("python")).Select(c => c.Text).ToArray();
        var cases = Math.Max(_cases / 2, 100);
        var failures = new List<string>();
        var errors = 0;
        for (var i = 0; i < cases && failures.Count < 5; i++)
        {
            var text = MutateText(seeds[i % seeds.Length], random);
            var run = Task.Run(() =>
            {
                var failed = 0;
                foreach (var parse in new Func<string, string, object>[] { YamlConfig.Parse, PythonLiteralConfig.Parse })
                {
                    try
                    {
                        parse(text, "fuzz.cfg");
                    }
                    catch (EngineException e) when (e.Message.StartsWith("fuzz.cfg: line ", StringComparison.Ordinal))
                    {
                        failed++;
                    }
                }
                return failed;
            });
            try
            {
                errors += await run.WaitAsync(_caseTimeout) > 0 ? 1 : 0;
            }
            catch (TimeoutException)
            {
                failures.Add($"case {i} did not finish in {_caseTimeout.TotalSeconds} s");
                break;
            }
            catch (Exception e)
            {
                var path = Path.Combine(Path.GetTempPath(), $"config-fuzz-failure-{i}.txt");
                File.WriteAllText(path, text);
                failures.Add($"case {i} (saved to {path}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.InRange(errors, cases / 4, cases);
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("python")]
    public void Config_readers_take_linear_time_on_large_and_deep_texts(string reader)
    {
        Func<string, string, object> parse = reader == "yaml" ? YamlConfig.Parse : PythonLiteralConfig.Parse;
        // Each text is parsed once at 32n and 32 times at n: as much input either way, so linear work
        // takes about as long, quadratic work 32 times as long. The ratio, not the time, is asserted
        // (the best of three of each, in one process), so a loaded or slow machine does not fail it.
        foreach (var (small, large) in Texts(reader, 3_125).Zip(Texts(reader, 100_000)))
        {
            var ratio = BestSeconds(parse, large, 1) / BestSeconds(parse, small, 32);
            Assert.True(ratio < 8, $"{large.Length}-character text starting `{large[..Math.Min(20, large.Length)]}` took {ratio:F1} times as long as 32 parses of one 32 times shorter");
        }
    }

    private static string[] Texts(string reader, int n) =>
        reader == "yaml"
            ? new[]
            {
                "a: " + string.Join(' ', Enumerable.Repeat("word", n)) + "\n",
                "a: " + string.Concat(Enumerable.Repeat("x\n  ", n)) + "\n",
                "a:\n" + string.Concat(Enumerable.Repeat("- 1\n", n)),
                "a: [" + string.Join(", ", Enumerable.Range(0, n)) + "]\n",
                "a: '" + new string('\'', 2 * n) + "'\n",
                "a: " + new string('[', n) + "\n",
                "a: " + string.Concat(Enumerable.Repeat("- ", n)) + "\n",
                "a:\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => new string(' ', i + 1) + "-\n")),
                "a: " + new string('1', n) + "\n",
                "a: 0x" + new string('F', n) + "\n",
                string.Concat(Enumerable.Range(0, n / 10).Select(i => $"k{i}: {i}\n")),
            }
            : new[]
            {
                "a = [" + string.Join(", ", Enumerable.Range(0, n)) + "]\n",
                "a = '" + new string('x', 5 * n) + "'\n",
                "a = " + string.Concat(Enumerable.Repeat("'s' ", n)) + "\n",
                "a = " + new string('[', n) + "\n",
                "a = " + new string('(', n) + "\n",
                "a = " + new string('1', n) + "\n",
                "a = dict(" + string.Join(", ", Enumerable.Range(0, n / 10).Select(i => $"k{i}={i}")) + ")\n",
                string.Concat(Enumerable.Range(0, n / 10).Select(i => $"k{i} = {i}\n")),
            };

    private static double BestSeconds(Func<string, string, object> parse, string text, int times)
    {
        var best = double.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < times; i++)
            {
                try
                {
                    parse(text, "big.cfg");
                }
                catch (EngineException e)
                {
                    Assert.StartsWith("big.cfg: line ", e.Message, StringComparison.Ordinal);
                }
            }
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static string MutateText(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = random.Next(text.Length + 1);
            switch (random.Next(6))
            {
                case 0:
                    text.Length = at;
                    break;
                case 1:
                    text.Remove(at, Math.Min(random.Next(1, 40), text.Length - at));
                    break;
                case 2:
                    var from = random.Next(text.Length + 1);
                    var span = text.ToString(from, Math.Min(random.Next(1, 200), text.Length - from));
                    text.Insert(at, span);
                    break;
                case 3:
                    text.Insert(at, _fragments[random.Next(_fragments.Length)]);
                    break;
                case 4:
                    if (at < text.Length)
                        text[at] = _fragments[random.Next(_fragments.Length)][0];
                    break;
                default:
                    var lines = text.ToString().Split('\n');
                    var a = random.Next(lines.Length);
                    var b = random.Next(lines.Length);
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    text.Clear().Append(string.Join('\n', lines));
                    break;
            }
        }
        return text.ToString();
    }

    private static void Exercise(string path)
    {
        using var checkpoint = CheckpointReader.Open(path);
        var (state, _) = DialectDetector.Unwrap(checkpoint);
        foreach (var (_, tensor) in state.Tensors)
            tensor.ReadFloats();
        var model = DialectDetector.Map(checkpoint, new ConvertOptions());
        PackageWriter.EnsureComplete(model);
    }

    private static byte[] Mutate(byte[] seed, int kind, Random random)
    {
        var bytes = (byte[])seed.Clone();
        switch (kind)
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (var n = random.Next(1, 9); n > 0; n--)
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                var at = random.Next(Math.Max(1, bytes.Length - 8));
                var value = random.Next(3) == 0 ? (uint)random.Next() : _lengths[random.Next(_lengths.Length)];
                BitConverter.TryWriteBytes(bytes.AsSpan(at, Math.Min(4, bytes.Length - at)), value);
                return bytes;
            case 3:
                var from = random.Next(bytes.Length);
                var run = bytes.AsSpan(from, Math.Min(random.Next(1, 256), bytes.Length - from));
                var to = random.Next(bytes.Length + 1);
                if (random.Next(2) == 0)
                    return [.. bytes.AsSpan(0, to), .. run, .. bytes.AsSpan(to)];
                run.CopyTo(bytes.AsSpan(Math.Min(to, bytes.Length - run.Length)));
                return bytes;
            default:
                for (var n = random.Next(1, 4); n > 0; n--)
                    bytes[random.Next(bytes.Length)] = _opcodes[random.Next(_opcodes.Length)];
                return bytes;
        }
    }

    /// <summary>Mutates the pickle inside a torch.save archive and re-zips it, so the zip stays valid and the unpickler sees the damage.</summary>
    private static byte[] MutateInnerPickle(byte[] archive, Random random)
    {
        using var input = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in input.Entries)
            {
                using var source = entry.Open();
                using var copy = new MemoryStream();
                source.CopyTo(copy);
                var data = copy.ToArray();
                if (entry.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
                    data = Mutate(data, random.Next(5), random);
                using var target = zip.CreateEntry(entry.FullName, CompressionLevel.NoCompression).Open();
                target.Write(data);
            }
        }
        return output.ToArray();
    }
}
