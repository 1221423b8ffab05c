using StreamJsonRpc;
using StreamJsonRpc.Protocol;

namespace Pipeline.LanguageServer.Server;

/// <summary>
/// StreamJsonRpc's connection with one change: an error reply carries a code and a one-line message, never the
/// exception's type and stack trace that StreamJsonRpc puts into <c>data</c> by default (an editor shows them to the user).
/// </summary>
internal sealed class ServerRpc(IJsonRpcMessageHandler handler, TextWriter log) : JsonRpc(handler)
{
    protected override JsonRpcError.ErrorDetail CreateErrorDetails(JsonRpcRequest request, Exception exception)
    {
        if (exception is LocalRpcException refused)
        {
            return new JsonRpcError.ErrorDetail { Code = (JsonRpcErrorCode)refused.ErrorCode, Message = refused.Message };
        }

        log.WriteLine($"pipeline lsp: {request.Method} could not be answered: {exception}");
        return new JsonRpcError.ErrorDetail
        {
            Code = JsonRpcErrorCode.InvalidParams,
            Message = $"The parameters of {request.Method} are not what the Language Server Protocol says they are.",
        };
    }
}
