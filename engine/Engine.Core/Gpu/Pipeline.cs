using Engine.Interop;

namespace Engine.Gpu;

/// <summary>
/// A compute pipeline: one shader, its specialization constants, and the descriptor and push-constant
/// layout read from its SPIR-V. Created once through <see cref="Device.Pipeline(string, ReadOnlySpan{SpecConstant})"/>
/// and owned by the device.
/// </summary>
public sealed unsafe class Pipeline
{
    /// <summary>Push constants every pipeline layout reserves: the minimum any Vulkan device guarantees.</summary>
    public const int PushConstantBytes = 128;

    private readonly Device _device;

    internal Pipeline(Device device, string name, byte[] spirv, ReadOnlySpan<SpecConstant> constants)
    {
        _device = device;
        Name = name;
        Layout = ShaderLayout.Reflect(name, spirv);
        foreach (var c in constants)
        {
            if (!Layout.SpecIds.Contains(c.Id))
                throw new EngineException($"Shader '{name}' has no specialization constant with constant_id = {c.Id} (it has [{string.Join(", ", Layout.SpecIds.Order())}]).");
        }
        Constants = constants.ToArray();

        var api = device.Api;
        var bindings = Layout.Bindings.Select(b => new VkDescriptorSetLayoutBinding
        {
            binding = b.Binding,
            descriptorType = DescriptorType(b.Kind),
            descriptorCount = 1,
            stageFlags = VkShaderStageFlags.Compute,
        }).ToArray();
        fixed (VkDescriptorSetLayoutBinding* pb = bindings)
        {
            var info = new VkDescriptorSetLayoutCreateInfo { bindingCount = (uint)bindings.Length, pBindings = pb };
            VkDescriptorSetLayout setLayout;
            VulkanException.Check(api.vkCreateDescriptorSetLayout(api.Device, &info, null, &setLayout), nameof(api.vkCreateDescriptorSetLayout), $"shader '{name}'");
            SetLayout = setLayout;
        }

        var setLayoutCopy = SetLayout;
        var range = new VkPushConstantRange { stageFlags = VkShaderStageFlags.Compute, size = PushConstantBytes };
        var layoutInfo = new VkPipelineLayoutCreateInfo { setLayoutCount = 1, pSetLayouts = &setLayoutCopy, pushConstantRangeCount = 1, pPushConstantRanges = &range };
        VkPipelineLayout pipelineLayout;
        VulkanException.Check(api.vkCreatePipelineLayout(api.Device, &layoutInfo, null, &pipelineLayout), nameof(api.vkCreatePipelineLayout), $"shader '{name}'");
        PipelineLayout = pipelineLayout;

        VkShaderModule module;
        fixed (byte* code = spirv)
        {
            var moduleInfo = new VkShaderModuleCreateInfo { codeSize = (nuint)spirv.Length, pCode = (uint*)code };
            VulkanException.Check(api.vkCreateShaderModule(api.Device, &moduleInfo, null, &module), nameof(api.vkCreateShaderModule), $"shader '{name}'");
        }
        try
        {
            var entries = new VkSpecializationMapEntry[constants.Length];
            var data = new uint[constants.Length];
            for (var i = 0; i < constants.Length; i++)
            {
                entries[i] = new VkSpecializationMapEntry { constantID = constants[i].Id, offset = (uint)(i * 4), size = 4 };
                data[i] = constants[i].Bits;
            }
            var entryPoint = NativeString.Utf8("main");
            fixed (VkSpecializationMapEntry* pe = entries)
            fixed (uint* pd = data)
            fixed (byte* pMain = entryPoint)
            {
                var spec = new VkSpecializationInfo { mapEntryCount = (uint)entries.Length, pMapEntries = pe, dataSize = (nuint)(data.Length * 4), pData = pd };
                var pipelineInfo = new VkComputePipelineCreateInfo
                {
                    stage = new VkPipelineShaderStageCreateInfo { stage = VkShaderStageFlags.Compute, module = module, pName = pMain, pSpecializationInfo = &spec },
                    layout = PipelineLayout,
                    basePipelineIndex = -1,
                };
                VkPipeline pipeline;
                VulkanException.Check(api.vkCreateComputePipelines(api.Device, device.PipelineCacheHandle, 1, &pipelineInfo, null, &pipeline),
                    nameof(api.vkCreateComputePipelines), $"shader '{name}' with constants [{string.Join(", ", constants.ToArray())}]");
                Handle = pipeline;
            }
        }
        finally
        {
            api.vkDestroyShaderModule(api.Device, module, null);
        }
        device.SetName(VkObjectType.Pipeline, Handle.Handle, name);
    }

    public string Name { get; }

    public ShaderLayout Layout { get; }

    public IReadOnlyList<SpecConstant> Constants { get; }

    internal VkPipeline Handle { get; }

    internal VkPipelineLayout PipelineLayout { get; }

    internal VkDescriptorSetLayout SetLayout { get; }

    public override string ToString() => $"pipeline '{Name}'";

    internal static VkDescriptorType DescriptorType(BindingKind kind) => kind switch
    {
        BindingKind.StorageBuffer => VkDescriptorType.StorageBuffer,
        BindingKind.StorageTexelBuffer => VkDescriptorType.StorageTexelBuffer,
        BindingKind.UniformTexelBuffer => VkDescriptorType.UniformTexelBuffer,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Destroyed by the device after its last submission has finished.</summary>
    internal void Destroy()
    {
        var api = _device.Api;
        api.vkDestroyPipeline(api.Device, Handle, null);
        api.vkDestroyPipelineLayout(api.Device, PipelineLayout, null);
        api.vkDestroyDescriptorSetLayout(api.Device, SetLayout, null);
    }
}
