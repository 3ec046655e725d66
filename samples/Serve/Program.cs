using Dwf.Robustness.Serving;
using Dwf.Serve;
using Microsoft.Extensions.Options;

// POST /predict with an image (PNG or JPEG bytes) → class, probabilities and, for a mixture, the gate weight of every
// expert. GET /health → the model's description. Settings: section "Serve" (ServeOptions), e.g. --Serve:Model=dwf.onnx.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.Configure<ServeOptions>(builder.Configuration.GetSection("Serve"));
builder.Services.AddSingleton(services =>
{
    var options = services.GetRequiredService<IOptions<ServeOptions>>().Value;
    return string.IsNullOrWhiteSpace(options.Model)
        ? throw new InvalidOperationException("No model: set Serve:Model to an .onnx file written by OnnxExport.Save (e.g. --Serve:Model=dwf.onnx).")
        : new OnnxClassifier(options.Model);
});
builder.WebHost.ConfigureKestrel((context, kestrel) =>
    kestrel.Limits.MaxRequestBodySize = context.Configuration.GetSection("Serve").Get<ServeOptions>()?.MaxRequestBytes ?? new ServeOptions().MaxRequestBytes);
var app = builder.Build();
app.Services.GetRequiredService<OnnxClassifier>(); // load at start: a bad model file fails the start, not the first request

app.MapGet("/health", (OnnxClassifier model) => Results.Ok(new Health(model.Classes, model.Experts, model.HasGate, model.ImageSize)));
app.MapPost("/predict", Endpoints.PredictAsync);
app.Run();

/// <summary>The entry point's type, for the integration tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
