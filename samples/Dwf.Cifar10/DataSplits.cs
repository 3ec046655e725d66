using Dwf.Robustness.Data;

namespace Dwf.Cifar10;

/// <summary>
/// The training set divided once, the same way for every phase: per class, the first <c>TrainPerClass</c> images
/// train the experts (and, unless <c>JointPerClass</c> says otherwise, the joint phase); the next
/// <c>ValidationPerClass</c> choose the best expert and are never trained on. The test set is only evaluated.
/// </summary>
public static class DataSplits
{
    /// <summary>Expert training images per class: <see cref="RunConfig.TrainPerClass"/>, or every image the validation split leaves.</summary>
    public static int TrainPerClass(RunConfig c, ImageDataset train)
    {
        int smallest = train.ClassCounts().Min();
        int perClass = c.TrainPerClass ?? smallest - c.ValidationPerClass;
        if (perClass < 1 || perClass + c.ValidationPerClass > smallest)
        {
            throw new ArgumentException(
                $"TrainPerClass {perClass} + ValidationPerClass {c.ValidationPerClass} exceed the {smallest} training images of the smallest class; lower one of them.");
        }

        return perClass;
    }

    /// <summary>The experts' training images.</summary>
    public static ImageDataset Experts(RunConfig c, ImageDataset train) => train.TakePerClass(TrainPerClass(c, train));

    /// <summary>Joint-phase images per class: <see cref="JointSettings.PerClass"/> of the experts' training images, or all of them.</summary>
    public static int JointPerClass(RunConfig c, ImageDataset train)
    {
        int experts = TrainPerClass(c, train);
        if (c.Joint.PerClass > experts)
        {
            throw new ArgumentException($"JointPerClass {c.Joint.PerClass} is more than the {experts} expert training images per class; the joint phase uses a part of them.");
        }

        return c.Joint.PerClass ?? experts;
    }

    /// <summary>The joint phase's images.</summary>
    public static ImageDataset Joint(RunConfig c, ImageDataset train) => train.TakePerClass(JointPerClass(c, train));

    /// <summary>The held-out validation images, disjoint from every training image.</summary>
    public static ImageDataset Validation(RunConfig c, ImageDataset train) => train.TakePerClass(c.ValidationPerClass, skipPerClass: TrainPerClass(c, train));
}
