// TorchSharp's thread count is process-wide and its tests are CPU-heavy: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
