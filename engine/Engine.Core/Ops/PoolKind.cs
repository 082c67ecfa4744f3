namespace Engine.Ops;

public enum PoolKind
{
    Max,
    Average,
}
