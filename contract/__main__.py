from contract.cli import run

run()
