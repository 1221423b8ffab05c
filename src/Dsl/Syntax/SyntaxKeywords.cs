using System.Collections.Immutable;

namespace Pipeline.Dsl.Syntax;

/// <summary>
/// Every word the grammar gives a meaning to. Role words, <c>sweep</c> and <c>expect</c> are contextual (a property
/// may be called <c>data</c>); <c>true</c> and <c>false</c> are always literals.
/// </summary>
public static class SyntaxKeywords
{
    public const string Experiment = "experiment";
    public const string Extends = "extends";
    public const string Sweep = "sweep";
    public const string Expect = "expect";
    public const string Greater = ">";
    public const string Less = "<";
    public const string True = "true";
    public const string False = "false";

    public const string Data = "data";
    public const string Model = "model";
    public const string Reward = "reward";
    public const string Align = "align";
    public const string Guide = "guide";
    public const string Evaluate = "evaluate";

    /// <summary>The role words a stage declaration may start with, in documentation order.</summary>
    public static readonly ImmutableArray<string> Roles = [Data, Model, Reward, Align, Guide, Evaluate];

    public static bool IsRole(string word) => Roles.Contains(word, StringComparer.Ordinal);
}
