using Pipeline.Cli;

// The command tree is built in PipelineCommand, so that tests can drive every command in process.
return CommandHost.Invoke(PipelineCommand.Create(), args);
