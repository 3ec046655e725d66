using Dwf.Robustness.Evaluation;
using Dwf.Robustness.Training;
using Spectre.Console;

namespace Dwf.Cifar10;

/// <summary>
/// Progress display: Spectre.Console bars with ETA on an interactive terminal; plain lines (one per epoch or
/// evaluation stage) when output is redirected, e.g. to a log file or in CI.
/// </summary>
public static class ConsoleProgress
{
    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs <paramref name="work"/> with a progress bar for one phase.</summary>
    public static T Run<T>(string title, Func<IProgress<TrainingProgress>, T> work)
    {
        if (!Interactive)
        {
            return work(new LineProgress<TrainingProgress>(p =>
            {
                if (p.CompletedEpoch is { } m)
                {
                    Console.WriteLine($"  {m.Phase} epoch {m.Epoch}/{m.Epochs}: loss {m.Loss:F3}, clean {Pct(m.CleanAccuracy)}, adversarial {Pct(m.AdversarialAccuracy)}, {m.Seconds:F0} s");
                }
            }));
        }

        T result = default!;
        Columns().Start(ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
            EpochMetrics? last = null; // the bar shows the last finished epoch's loss and accuracies
            result = work(new LineProgress<TrainingProgress>(p =>
            {
                last = p.CompletedEpoch ?? last;
                task.Value = (p.Epoch - 1 + (double)p.Batch / p.BatchesPerEpoch) / p.Epochs;
                string metrics = last is null ? "" : $" · loss {last.Loss:F3}, clean {Pct(last.CleanAccuracy)}, adv {Pct(last.AdversarialAccuracy)}";
                task.Description = Markup.Escape($"{p.Phase} epoch {p.Epoch}/{p.Epochs}{metrics}");
            }));
            task.Value = 1.0;
        });
        return result;
    }

    /// <summary>Runs an evaluation with a progress bar.</summary>
    public static RobustnessReport Evaluate(string title, Func<IProgress<EvaluationProgress>, RobustnessReport> work)
    {
        if (!Interactive)
        {
            int lastStage = -1;
            return work(new LineProgress<EvaluationProgress>(p =>
            {
                if (p.Done == p.Total && p.StageIndex != lastStage)
                {
                    lastStage = p.StageIndex;
                    Console.WriteLine($"  {title}: {p.Stage} done ({p.StageIndex + 1}/{p.Stages})");
                }
            }));
        }

        RobustnessReport report = null!;
        Columns().Start(ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(title), maxValue: 1.0);
            report = work(new LineProgress<EvaluationProgress>(p =>
            {
                task.Value = (p.StageIndex + (double)p.Done / Math.Max(1, p.Total)) / p.Stages;
                task.Description = Markup.Escape($"{title}: {p.Stage}" + (p.AttackSteps > 0 ? $" (batch at step {p.AttackStep}/{p.AttackSteps})" : ""));
            }));
            task.Value = 1.0;
        });
        return report;
    }

    public static string Pct(double v) => double.IsNaN(v) ? "–" : $"{100 * v:F1}%";

    private static Progress Columns() => AnsiConsole.Progress().AutoClear(false).Columns(
        new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn());

    /// <summary>Synchronous <see cref="IProgress{T}"/> (System.Progress would post to the thread pool).</summary>
    private sealed class LineProgress<T>(Action<T> handler) : IProgress<T>
    {
        public void Report(T value) => handler(value);
    }
}
