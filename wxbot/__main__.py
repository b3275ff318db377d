from wxbot.cli import main

raise SystemExit(main())
