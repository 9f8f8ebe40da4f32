package dev.interlock.examples;

import dev.interlock.examples.cli.RootCommand;

/**
 * The entry point of {@code interlock-examples.jar}: {@code java -jar interlock-examples.jar demo}, or any operator
 * command ({@code --help} lists them).
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(RootCommand.commandLine().execute(args));
    }
}
