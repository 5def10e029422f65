package main

import _ "github.com/coretraffic/coretraffic/plugin/console"
