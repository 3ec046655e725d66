namespace Dwf.Robustness.Training;

/// <summary>What the options of every trainer of this library have: a length, a seed and a check of their own values.</summary>
public interface ITrainingOptions
{
    /// <summary>Epochs to train.</summary>
    int Epochs { get; }

    /// <summary>Seed of every random draw of the training attacks (the loader has its own seed).</summary>
    long Seed { get; }

    /// <summary>What a failed input-gradient check of the model does before the first step; <see cref="Numerics.GradientCheckMode.Fail"/> unless the options say otherwise.</summary>
    Numerics.GradientCheckMode GradientCheck => Numerics.GradientCheckMode.Fail;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and its fix.</summary>
    void Validate();
}
