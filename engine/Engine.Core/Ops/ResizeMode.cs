namespace Engine.Ops;

public enum ResizeMode
{
    Nearest,
    Bilinear,
    BilinearAlignCorners,
}
