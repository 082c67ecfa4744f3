namespace Engine.Interop;

/// <summary>A failed Vulkan call: which call, about which object, and the <see cref="VkResult"/>.</summary>
public sealed class VulkanException : EngineException
{
    public VulkanException(VkResult result, string call, string subject)
        : base($"{call} failed with {result} ({(int)result}) for {subject}")
    {
        Result = result;
        Call = call;
        Subject = subject;
    }

    public VkResult Result { get; }

    public string Call { get; }

    /// <summary>The object the call was about, as a person would name it ("buffer 'conv1.weight' (37632 bytes)").</summary>
    public string Subject { get; }

    /// <summary>Throws unless <paramref name="result"/> is a success code.</summary>
    public static void Check(VkResult result, string call, string subject)
    {
        if (result < 0)
            throw new VulkanException(result, call, subject);
    }
}
