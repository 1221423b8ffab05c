namespace Pipeline.Catalog;

/// <summary>
/// The files <c>init = file("...")</c> reads (the <c>init</c> property of the trained kinds): a model file as a run
/// exports it, or a PyTorch state dict saved with <c>torch.save(model.state_dict())</c>. The compiler checks the
/// extension, the runtime picks the reader by it.
/// </summary>
public static class InitFiles
{
    public const string Property = "init";

    public static readonly IReadOnlyList<string> Extensions = [".safetensors", ".pt", ".pth"];
}
