using Dwf.Robustness.Serving;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Dwf.Serve;

/// <summary>The model's description at <c>GET /health</c>.</summary>
public sealed record Health(int Classes, IReadOnlyList<string> Experts, bool Mixture, int? ImageSize);

/// <summary>One image's answer at <c>POST /predict</c>.</summary>
/// <param name="Label">The predicted class's index.</param>
/// <param name="Class">Its name, when the model file names its classes.</param>
/// <param name="Probabilities">Every class's probability.</param>
/// <param name="GateWeights">A mixture's weight per expert; null for a single model.</param>
public sealed record PredictResponse(int Label, string? Class, float[] Probabilities, IReadOnlyDictionary<string, float>? GateWeights);

/// <summary>The endpoints.</summary>
public static class Endpoints
{
    /// <summary>Reads the image (up to the body limit), decodes it and answers; a bad image gets 400 with the reason.</summary>
    public static async Task<IResult> PredictAsync(HttpContext context, OnnxClassifier model, IOptions<ServeOptions> settings)
    {
        var options = settings.Value;
        if (context.Request.ContentLength > options.MaxRequestBytes)
        {
            return Results.Problem($"The body is {context.Request.ContentLength} bytes; at most {options.MaxRequestBytes} are accepted.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.Problem($"The body exceeds {options.MaxRequestBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        int side = model.ImageSize ?? options.DefaultImageSize;
        var (pixels, error) = ImageRequest.Decode(body, side, options.MaxImageSide, options.Fit);
        if (pixels is null)
        {
            return Results.Problem(error, statusCode: StatusCodes.Status400BadRequest);
        }

        var prediction = model.Predict(pixels, 1, side, side);
        int label = prediction.Label(0);
        var gate = model.HasGate ? model.Experts.Zip(prediction.GateWeightsOf(0).ToArray()).ToDictionary(p => p.First, p => p.Second) : null;
        return Results.Ok(new PredictResponse(label, model.ClassNames?[label], prediction.ProbabilitiesOf(0).ToArray(), gate));
    }
}
