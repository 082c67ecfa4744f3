namespace Engine.Gpu;

/// <summary>Submitted work: done when the device's timeline reaches <see cref="Value"/>.</summary>
public readonly record struct Submission(Device Device, ulong Value)
{
    public bool IsComplete => Device.CompletedValue >= Value;

    public void Wait() => Device.Wait(Value);
}
