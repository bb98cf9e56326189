package main

// commands is the table of subcommands, in the order --help lists them.
func commands() []command {
	return []command{
		serveCommand(),
		demoCommand(),
		reportCommand(),
		planCommand(),
		erlangCommand(),
		collectCommand(),
		aggregateCommand(),
		replayCommand(),
		produceCommand(),
		simulateCommand(),
		dashboardsCommand(),
		migrateCommand(),
		versionCommand(),
	}
}

// lookup finds a command by name.
func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}
