namespace Engine.Video;

/// <summary>
/// The actions of the synthetic scene: the one definition the demo, the tests and the training of
/// the default model share. The label of each is <see cref="SceneActions.Label"/>; class ids follow
/// this order.
/// </summary>
public enum SceneAction
{
    MovingLeft,
    MovingRight,
    MovingUp,
    MovingDown,
    RotatingClockwise,
    RotatingCounterclockwise,
    Growing,
    Shrinking,
    Appearing,
    Disappearing,
}
