//! The `caselock` command.

fn main() -> std::process::ExitCode {
    caselock::cli::main()
}
