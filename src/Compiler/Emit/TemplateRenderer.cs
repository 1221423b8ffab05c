using System.Reflection;
using Pipeline.Compiler.Lowering;
using Scriban;
using Scriban.Runtime;

namespace Pipeline.Compiler.Emit;

/// <summary>Renders the embedded <c>.sbncs</c> templates over the view model, with strict variables and member names kept as written.</summary>
internal static class TemplateRenderer
{
    public const string ExperimentTemplate = "Experiment.sbncs";
    private static readonly Lazy<Template> Experiment = new(() => ParseTemplate(Load(ExperimentTemplate)));

    public static string Render(ExperimentView view, string? templateText = null)
    {
        var template = templateText is null ? Experiment.Value : ParseTemplate(templateText);
        var globals = new ScriptObject();
        globals.Import(new { Model = view }, renamer: member => member.Name);
        var context = new TemplateContext
        {
            StrictVariables = true,
            MemberRenamer = member => member.Name,
            LoopLimit = 0,
        };
        context.PushGlobal(globals);
        return template.Render(context).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    public static string Load(string name)
    {
        var assembly = typeof(TemplateRenderer).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Template ParseTemplate(string text)
    {
        var template = Template.Parse(text);
        return template.HasErrors
            ? throw new InvalidOperationException("the code template does not parse: " + string.Join("; ", template.Messages))
            : template;
    }
}
