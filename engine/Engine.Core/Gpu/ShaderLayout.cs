using System.Buffers.Binary;
using Engine.Interop;

namespace Engine.Gpu;

/// <summary>How a shader reaches one tensor.</summary>
public enum BindingKind
{
    StorageBuffer,
    StorageTexelBuffer,
    UniformTexelBuffer,
}

/// <summary>What the shader does with a binding, from its NonWritable/NonReadable decorations.</summary>
[Flags]
public enum Access
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}

public sealed record ShaderBinding(uint Binding, string Name, BindingKind Kind, Access Access, VkFormat TexelFormat);

/// <summary>
/// The interface of a compute shader read from its SPIR-V: descriptor bindings (set 0) with their kind,
/// access and texel format, whether it takes push constants, its specialization constant ids and its
/// local size. Dispatches derive descriptor types and barriers from this, so GLSL is the one place a
/// kernel's interface is written down.
/// </summary>
public sealed class ShaderLayout
{
    private const uint Magic = 0x07230203;

    private ShaderLayout(IReadOnlyList<ShaderBinding> bindings, bool pushConstants, IReadOnlySet<uint> specIds, (uint X, uint Y, uint Z) localSize)
    {
        Bindings = bindings;
        HasPushConstants = pushConstants;
        SpecIds = specIds;
        LocalSize = localSize;
    }

    public IReadOnlyList<ShaderBinding> Bindings { get; }

    public bool HasPushConstants { get; }

    public IReadOnlySet<uint> SpecIds { get; }

    /// <summary>The literal local size; 1 in a dimension set by a specialization constant.</summary>
    public (uint X, uint Y, uint Z) LocalSize { get; }

    public static ShaderLayout Reflect(string name, ReadOnlySpan<byte> spirv)
    {
        if (spirv.Length < 20 || spirv.Length % 4 != 0 || BinaryPrimitives.ReadUInt32LittleEndian(spirv) != Magic)
            throw new EngineException($"Shader '{name}' is not SPIR-V ({spirv.Length} bytes, bad magic or size).");

        var words = new uint[spirv.Length / 4];
        for (var i = 0; i < words.Length; i++)
            words[i] = BinaryPrimitives.ReadUInt32LittleEndian(spirv[(i * 4)..]);

        var names = new Dictionary<uint, string>();
        var bindingOf = new Dictionary<uint, uint>();
        var setOf = new Dictionary<uint, uint>();
        var nonWritable = new HashSet<uint>();
        var nonReadable = new HashSet<uint>();
        var memberNonWritable = new Dictionary<uint, int>();
        var memberNonReadable = new Dictionary<uint, int>();
        var memberCount = new Dictionary<uint, int>();
        var bufferBlocks = new HashSet<uint>();
        var pointers = new Dictionary<uint, (uint StorageClass, uint Type)>();
        var images = new Dictionary<uint, (uint Dim, uint Sampled, uint Format)>();
        var sampledImages = new Dictionary<uint, uint>();
        var variables = new List<(uint Type, uint Id, uint StorageClass)>();
        var specIds = new HashSet<uint>();
        (uint, uint, uint) localSize = (1, 1, 1);

        for (var at = 5; at < words.Length;)
        {
            var count = (int)(words[at] >> 16);
            var op = words[at] & 0xFFFF;
            if (count == 0 || at + count > words.Length)
                throw new EngineException($"Shader '{name}': malformed SPIR-V instruction at word {at}.");
            var w = words.AsSpan(at, count);
            switch (op)
            {
                case 5: // OpName
                    names[w[1]] = ReadString(w[2..]);
                    break;
                case 16 when w[2] == 17: // OpExecutionMode LocalSize
                    localSize = (w[3], w[4], w[5]);
                    break;
                case 71: // OpDecorate
                    switch (w[2])
                    {
                        case 1: specIds.Add(w[3]); break;          // SpecId
                        case 3: bufferBlocks.Add(w[1]); break;     // BufferBlock
                        case 24: nonWritable.Add(w[1]); break;     // NonWritable
                        case 25: nonReadable.Add(w[1]); break;     // NonReadable
                        case 33: bindingOf[w[1]] = w[3]; break;    // Binding
                        case 34: setOf[w[1]] = w[3]; break;        // DescriptorSet
                    }
                    break;
                case 72: // OpMemberDecorate
                    if (w[3] == 24)
                        memberNonWritable[w[1]] = memberNonWritable.GetValueOrDefault(w[1]) + 1;
                    else if (w[3] == 25)
                        memberNonReadable[w[1]] = memberNonReadable.GetValueOrDefault(w[1]) + 1;
                    break;
                case 30: // OpTypeStruct
                    memberCount[w[1]] = count - 2;
                    break;
                case 25: // OpTypeImage
                    images[w[1]] = (w[3], w[7], w[8]);
                    break;
                case 27: // OpTypeSampledImage
                    sampledImages[w[1]] = w[2];
                    break;
                case 32: // OpTypePointer
                    pointers[w[1]] = (w[2], w[3]);
                    break;
                case 59: // OpVariable
                    variables.Add((w[1], w[2], w[3]));
                    break;
            }
            at += count;
        }

        var bindings = new List<ShaderBinding>();
        var pushConstants = false;
        foreach (var (type, id, storage) in variables)
        {
            if (storage == 9) // PushConstant
            {
                pushConstants = true;
                continue;
            }
            if (!bindingOf.TryGetValue(id, out var binding))
                continue;
            var varName = names.GetValueOrDefault(id, $"%{id}");
            if (setOf.GetValueOrDefault(id) != 0)
                throw new EngineException($"Shader '{name}': binding '{varName}' is in descriptor set {setOf[id]}; engine shaders use set 0 only.");
            var pointee = pointers[type].Type;
            if (sampledImages.TryGetValue(pointee, out var inner))
                pointee = inner;

            BindingKind kind;
            var format = VkFormat.Undefined;
            Access access;
            if (images.TryGetValue(pointee, out var image))
            {
                if (image.Dim != 5) // Buffer
                    throw new EngineException($"Shader '{name}': binding '{varName}' is an image; engine shaders use buffers and texel buffers.");
                kind = image.Sampled == 2 ? BindingKind.StorageTexelBuffer : BindingKind.UniformTexelBuffer;
                format = ImageFormat(name, varName, image.Format, kind);
                access = kind == BindingKind.UniformTexelBuffer ? Access.Read : AccessOf(nonWritable.Contains(id), nonReadable.Contains(id));
            }
            else if (storage == 12 || (storage == 2 && bufferBlocks.Contains(pointee)))
            {
                kind = BindingKind.StorageBuffer;
                var members = memberCount.GetValueOrDefault(pointee, 1);
                access = AccessOf(
                    nonWritable.Contains(id) || memberNonWritable.GetValueOrDefault(pointee) >= members,
                    nonReadable.Contains(id) || memberNonReadable.GetValueOrDefault(pointee) >= members);
                varName = names.TryGetValue(id, out var n) && n.Length > 0 ? n : names.GetValueOrDefault(pointee, varName);
            }
            else
            {
                throw new EngineException($"Shader '{name}': binding '{varName}' is a uniform buffer; pass small values as push constants instead.");
            }
            bindings.Add(new ShaderBinding(binding, varName, kind, access, format));
        }

        bindings.Sort((a, b) => a.Binding.CompareTo(b.Binding));
        for (var i = 0; i < bindings.Count; i++)
        {
            if (bindings[i].Binding != i)
                throw new EngineException($"Shader '{name}': bindings must be numbered 0..{bindings.Count - 1} without gaps; found binding {bindings[i].Binding} at position {i}.");
        }
        return new ShaderLayout(bindings, pushConstants, specIds, localSize);
    }

    private static Access AccessOf(bool nonWritable, bool nonReadable) =>
        nonWritable ? Access.Read : nonReadable ? Access.Write : Access.ReadWrite;

    private static VkFormat ImageFormat(string shader, string binding, uint spirvFormat, BindingKind kind) => spirvFormat switch
    {
        1 => VkFormat.R32G32B32A32Sfloat,
        2 => VkFormat.R16G16B16A16Sfloat,
        3 => VkFormat.R32Sfloat,
        30 => VkFormat.R32G32B32A32Uint,
        33 => VkFormat.R32Uint,
        0 when kind == BindingKind.UniformTexelBuffer => VkFormat.R32G32B32A32Sfloat,
        _ => throw new EngineException($"Shader '{shader}': texel buffer '{binding}' has SPIR-V image format {spirvFormat}; use rgba32f, rgba16f, r32f, rgba32ui or r32ui."),
    };

    private static string ReadString(ReadOnlySpan<uint> words)
    {
        var bytes = new List<byte>();
        foreach (var word in words)
        {
            for (var i = 0; i < 4; i++)
            {
                var b = (byte)(word >> (8 * i));
                if (b == 0)
                    return System.Text.Encoding.UTF8.GetString([.. bytes]);
                bytes.Add(b);
            }
        }
        return System.Text.Encoding.UTF8.GetString([.. bytes]);
    }
}
