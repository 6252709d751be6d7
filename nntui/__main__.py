from nntui.cli import main

raise SystemExit(main())
