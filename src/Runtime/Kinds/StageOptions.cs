namespace Pipeline.Runtime.Kinds;

/// <summary>
/// Base of every stage kind's options: one property per catalogue property, of the runtime type the catalogue names
/// (<c>beta</c> is a <c>DpoBeta</c>), each set by the generated code from the experiment file, defaults included: the
/// defaults are written once, in the catalogue (docs/contracts.md, "Typed options"). A property the experiment must
/// give is <c>required</c>; one it may leave out without a default is nullable.
/// </summary>
public abstract record StageOptions;
