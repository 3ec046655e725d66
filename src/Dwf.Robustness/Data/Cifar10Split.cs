namespace Dwf.Robustness.Data;

/// <summary>Which part of CIFAR-10 to read.</summary>
public enum Cifar10Split
{
    /// <summary>The five training batches, <c>data_batch_1.bin</c> … <c>data_batch_5.bin</c> (50,000 images).</summary>
    Train,

    /// <summary>The test batch, <c>test_batch.bin</c> (10,000 images).</summary>
    Test,
}
